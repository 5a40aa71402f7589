import CoreMetrics

/// Counts every refusal by one of Keel's bounds — a request asking for too much, an upstream
/// sending too much, too many connections — as `keel_limit_exceeded_total{limit}`, the limit named
/// by its configuration key so that the metric says which setting to look at.
public final class LimitTrips: Sendable {
    public static let metric = "keel_limit_exceeded_total"

    private let factory: any MetricsFactory
    private let counters = HandleCache<String, Counter>()

    /// - Parameter factory: where the counters live; counting nothing by default.
    public init(factory: any MetricsFactory = NOOPMetricsHandler.instance) {
        self.factory = factory
    }

    /// Counts one refusal by `limit` (a configuration key such as `limits.max_messages`).
    public func record(_ limit: String) {
        counters.handle(limit) { Counter(label: Self.metric, dimensions: [("limit", $0)], factory: factory) }.increment()
    }
}
