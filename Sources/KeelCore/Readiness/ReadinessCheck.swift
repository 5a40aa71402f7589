/// The five things a route needs before it takes production traffic; ``ReadinessReport`` checks
/// each against what Keel holds of it.
public enum ReadinessCheck: String, Sendable, Hashable, CaseIterable {
    /// A clear business risk definition: tiers, and a review path for the high one.
    case risk
    /// The input validated: a contract, and a recent batch of sample records run through it.
    case data
    /// A measured evaluation of the production prompt on the route's gate dataset.
    case evaluation
    /// A risk-control and fallback plan: a fallback chain, degradation, a latency budget, rehearsed.
    case fallback
    /// Real-time monitoring of cost and output drift: budgets, alerts that reach someone, drift monitors in state ok.
    case monitoring

    public var title: String {
        switch self {
        case .risk: "Business risk definition"
        case .data: "Data readiness"
        case .evaluation: "Measured evaluation"
        case .fallback: "Risk control and fallback plan"
        case .monitoring: "Cost and drift monitoring"
        }
    }
}
