/// The state Keel keeps about its upstreams across requests: a circuit breaker per deployment and
/// a retry budget per provider.
public struct UpstreamHealth: Sendable {
    private let breakers: [String: CircuitBreaker]
    private let budgets: [String: RetryBudget]
    /// The deployments, in configuration order.
    public let deployments: [ModelDeployment]

    /// - Parameter onTransition: told when a deployment's breaker changes state (for logs and reports).
    public init(
        deployments: [ModelDeployment],
        breaker: CircuitBreaker.Configuration = .init(),
        retryRatio: Double = 0.2,
        clock: KeelClock,
        onTransition: @escaping @Sendable (ModelDeployment, CircuitBreaker.Transition) -> Void = { _, _ in }
    ) {
        var breakers: [String: CircuitBreaker] = [:]
        var budgets: [String: RetryBudget] = [:]
        for deployment in deployments {
            breakers[deployment.name] = CircuitBreaker(configuration: breaker, clock: clock) { onTransition(deployment, $0) }
            if budgets[deployment.provider] == nil { budgets[deployment.provider] = RetryBudget(ratio: retryRatio) }
        }
        self.breakers = breakers
        self.budgets = budgets
        self.deployments = deployments
    }

    public func breaker(for deployment: ModelDeployment) -> CircuitBreaker? { breakers[deployment.name] }
    public func budget(for deployment: ModelDeployment) -> RetryBudget? { budgets[deployment.provider] }

    /// Every deployment with its breaker's state, in configuration order.
    public var breakerStates: [(deployment: ModelDeployment, state: CircuitBreaker.State)] {
        deployments.compactMap { deployment in breakers[deployment.name].map { (deployment, $0.state) } }
    }
}
