/// How hard Keel tries to answer a route: its deadline, its attempts, and which failures it retries.
public struct RoutePolicy: Sendable, Hashable {
    /// The deadline of a whole request, every attempt and wait included; `nil` for none.
    public var latencyBudget: Duration?
    /// Upstream calls one request may make, across all targets.
    public var maxAttempts: Int
    /// The failures worth another attempt (on the same target, or the next).
    public var retryOn: Set<UpstreamError.Kind>
    /// What answers when every target has failed; nothing by default.
    public var degradation: DegradationPolicy
    /// How workflow steps are made to fit the context window.
    public var context: ContextPolicy

    /// Failures of the upstream, not of the request; a stream cut counts only before its first chunk,
    /// since nothing can be retried once the client has bytes.
    public static let defaultRetryOn: Set<UpstreamError.Kind> = [
        .rateLimited, .serverError, .unavailable, .timeout, .badResponse, .streamInterrupted,
    ]

    public init(
        latencyBudget: Duration? = nil,
        maxAttempts: Int = 3,
        retryOn: Set<UpstreamError.Kind> = defaultRetryOn,
        degradation: DegradationPolicy = DegradationPolicy(),
        context: ContextPolicy = ContextPolicy()
    ) {
        self.latencyBudget = latencyBudget
        self.maxAttempts = maxAttempts
        self.retryOn = retryOn
        self.degradation = degradation
        self.context = context
    }
}
