import CoreMetrics

/// Counts every finished request with the OpenTelemetry GenAI client metrics, in Prometheus form:
/// `gen_ai_client_operation_duration_seconds`, `gen_ai_client_token_usage`, and
/// `keel_requests_total` by route and status. Labels come from configuration (routes, providers),
/// never from what a client sends, so their number stays small.
public struct GatewayMetrics: ExchangeObserver {
    public static let operationDuration = "gen_ai_client_operation_duration_seconds"
    public static let tokenUsage = "gen_ai_client_token_usage"
    public static let requests = "keel_requests_total"

    private let factory: any MetricsFactory

    public init(factory: any MetricsFactory) { self.factory = factory }

    public func exchangeFinished(_ record: RequestRecord) {
        let route = record.route ?? "none"
        var dimensions = [
            ("gen_ai_operation_name", record.operation),
            ("gen_ai_provider_name", record.provider ?? "none"),
            ("gen_ai_request_model", route),
        ]
        if let error = record.errorCode { dimensions.append(("error_type", error)) }
        Timer(label: Self.operationDuration, dimensions: dimensions, factory: factory)
            .recordNanoseconds(Int64(record.durationMs * 1_000_000))
        if let input = record.inputTokens, let output = record.outputTokens {
            let base = Array(dimensions.prefix(3))
            Recorder(label: Self.tokenUsage, dimensions: base + [("gen_ai_token_type", "input")], aggregate: true, factory: factory)
                .record(input)
            Recorder(label: Self.tokenUsage, dimensions: base + [("gen_ai_token_type", "output")], aggregate: true, factory: factory)
                .record(output)
        }
        Counter(label: Self.requests, dimensions: [("route", route), ("status", String(record.status))], factory: factory).increment()
    }
}
