/// A public model name that clients ask for, and the deployments that may answer it.
public struct Route: Sendable, Hashable {
    /// A deployment that takes a share of a route's load.
    public struct Share: Sendable, Hashable {
        public var deployment: ModelDeployment
        public var weight: Double

        public init(_ deployment: ModelDeployment, weight: Double = 1) {
            self.deployment = deployment
            self.weight = weight
        }
    }

    /// The name clients send as `model`.
    public var name: String
    /// The deployments that share the load; each request goes first to one drawn by weight.
    public var balanced: [Share]
    /// Tried in order when the balanced deployments fail or their breakers are open.
    public var fallbacks: [ModelDeployment]
    public var policy: RoutePolicy
    /// Unix time the route came into service, reported as `created` by `/v1/models`.
    public var created: Int
    /// The registered prompt a request gets when it names none (`prompt: NAME@production`).
    public var prompt: PromptReference?
    /// How the route's answers are evaluated, and the gate a prompt version passes to take a label.
    public var evaluation: EvaluationPlan?
    /// The route's drift monitor.
    public var drift: DriftMonitor?
    /// What the structured input of the route's requests must be, and how it is normalised first.
    public var contract: InputContract?
    /// The rules that give each of the route's cases a risk tier.
    public var risk: RiskPolicy?
    /// How the route's risky cases are validated and reviewed.
    public var review: ReviewPolicy?
    /// What the route does with personal data in its requests.
    public var pii: PIIPolicy?
    /// How long the route's data is kept, where it differs from the defaults.
    public var retention: RetentionPeriods?

    public init(name: String, balanced: [Share], fallbacks: [ModelDeployment] = [], policy: RoutePolicy = RoutePolicy(), created: Int = 0) {
        precondition(!balanced.isEmpty, "a route needs at least one deployment")
        self.name = name
        self.balanced = balanced
        self.fallbacks = fallbacks
        self.policy = policy
        self.created = created
    }

    /// A route whose first target is its primary and the others its fallbacks, in order.
    public init(name: String, targets: [ModelDeployment], policy: RoutePolicy = RoutePolicy(), created: Int = 0) {
        precondition(!targets.isEmpty, "a route needs at least one target")
        self.init(name: name, balanced: [Share(targets[0])], fallbacks: Array(targets.dropFirst()), policy: policy, created: created)
    }

    /// Every deployment of the route: the balanced ones, then the fallbacks.
    public var targets: [ModelDeployment] { balanced.map(\.deployment) + fallbacks }

    public var kind: ModelDeployment.Kind { balanced[0].deployment.kind }

    /// The order of targets for one request: the balanced deployment that `draw` (in [0, 1)) picks by
    /// weight, the other balanced ones, then the fallbacks.
    public func attemptOrder(draw: Double) -> [ModelDeployment] {
        guard balanced.count > 1 else { return targets }
        let total = balanced.reduce(0) { $0 + $1.weight }
        var threshold = draw * total
        var chosen = balanced.count - 1
        for (index, share) in balanced.enumerated() {
            if threshold < share.weight {
                chosen = index
                break
            }
            threshold -= share.weight
        }
        var order = [balanced[chosen].deployment]
        order += balanced.enumerated().filter { $0.offset != chosen }.map(\.element.deployment)
        return order + fallbacks
    }

    /// This route with only the targets that satisfy `isKept`, or `nil` when none does. When every
    /// balanced deployment is dropped, the first fallback kept takes the load.
    public func keeping(_ isKept: (ModelDeployment) -> Bool) -> Route? {
        var kept = self
        kept.balanced = balanced.filter { isKept($0.deployment) }
        kept.fallbacks = fallbacks.filter(isKept)
        if kept.balanced.isEmpty {
            guard !kept.fallbacks.isEmpty else { return nil }
            kept.balanced = [Share(kept.fallbacks.removeFirst())]
        }
        return kept
    }
}
