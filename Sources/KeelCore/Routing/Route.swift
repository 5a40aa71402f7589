/// A public model name that clients ask for, and the deployments that may answer it.
public struct Route: Sendable, Hashable {
    /// The name clients send as `model`.
    public var name: String
    /// The deployments in order of preference: the primary, then its fallbacks.
    public var targets: [ModelDeployment]
    public var policy: RoutePolicy
    /// Unix time the route came into service, reported as `created` by `/v1/models`.
    public var created: Int

    public init(name: String, targets: [ModelDeployment], policy: RoutePolicy = RoutePolicy(), created: Int = 0) {
        precondition(!targets.isEmpty, "a route needs at least one target")
        self.name = name
        self.targets = targets
        self.policy = policy
        self.created = created
    }

    public var primary: ModelDeployment { targets[0] }
    public var kind: ModelDeployment.Kind { primary.kind }
}
