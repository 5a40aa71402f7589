import CoreMetrics
import Synchronization

/// Counts every finished request with the OpenTelemetry GenAI metrics, in Prometheus form:
/// `gen_ai_client_operation_duration_seconds`, `gen_ai_client_token_usage`,
/// `gen_ai_server_time_to_first_token_seconds`, and Keel's own: requests by route and status,
/// errors by code, upstream attempts and their latency, retries, cost and degraded answers. Labels come from configuration (routes, providers),
/// never from what a client sends, so their number stays small — and so the handles for each label
/// set are made once and kept.
public final class GatewayMetrics: ExchangeObserver {
    public static let operationDuration = "gen_ai_client_operation_duration_seconds"
    public static let tokenUsage = "gen_ai_client_token_usage"
    /// Time to the first streamed token, as the client saw it.
    public static let timeToFirstToken = "gen_ai_server_time_to_first_token_seconds"
    public static let requests = "keel_requests_total"
    /// Failed requests by route and error code (`rate_limited`, `upstream_unavailable`, …).
    public static let errors = "keel_request_errors_total"
    /// Each upstream call's latency, by provider, deployment and outcome.
    public static let upstreamDuration = "keel_upstream_duration_seconds"
    /// Upstream calls by deployment and outcome (`ok` or the failure); with `keel_requests_total`
    /// it gives the retry overhead: attempts per request.
    public static let attempts = "keel_upstream_attempts_total"
    /// Upstream calls per request, by route: 1 when nothing was retried.
    public static let attemptsPerRequest = "keel_upstream_attempts_per_request"
    /// Input tokens sent again because an attempt failed (each failed attempt sent the whole prompt).
    public static let retryOverheadTokens = "keel_retry_overhead_tokens_total"
    /// Those tokens at the failed deployment's input price: what retries may have cost, at most.
    public static let retryOverheadCost = "keel_retry_overhead_cost_usd_total"
    /// What answers cost, by route, deployment and whether Keel estimated the usage.
    public static let cost = "keel_cost_usd_total"
    /// Answers that came from the cache or a static answer instead of a model, by route and mode.
    public static let degraded = "keel_degraded_total"
    /// Requests rendered from a registered prompt, by prompt, version, route and status.
    public static let promptRequests = "keel_prompt_requests_total"
    /// Personal data found and kept out of storage (and, for `redact-upstream`, out of the model's
    /// sight), by route, type and action; `block` counts the values that refused a request.
    public static let redactions = "keel_pii_redactions_total"

    private struct Labels: Hashable {
        var operation: String
        var api: String
        var provider: String
        var route: String
        var deployment: String
        var error: String?
        var status: Int
    }

    private struct Handles {
        var duration: Timer
        var timeToFirstToken: Timer
        var inputTokens: Recorder
        var outputTokens: Recorder
        var requests: Counter
        var errors: Counter?
        var attemptsPerRequest: Recorder
        var retryOverheadTokens: Counter
        var retryOverheadCost: FloatingPointCounter
    }

    private struct AttemptLabels: Hashable {
        var provider: String
        var deployment: String
        var outcome: String
    }

    private let factory: any MetricsFactory
    private let handles = HandleCache<Labels, Handles>()
    private let attemptHandles = HandleCache<AttemptLabels, (count: Counter, duration: Timer)>()
    private let degradedCounters = HandleCache<[String], Counter>()
    private let costCounters = HandleCache<[String], FloatingPointCounter>()
    private let promptCounters = HandleCache<[String], Counter>()
    private let redactionCounters = HandleCache<[String], Counter>()

    public init(factory: any MetricsFactory) {
        self.factory = factory
    }

    public func exchangeFinished(_ record: RequestRecord) {
        let labels = Labels(
            operation: record.operation,
            api: record.api?.rawValue ?? "unknown",
            provider: record.provider ?? "none",
            route: record.route ?? "none",
            deployment: record.model ?? "none",
            error: record.errorCode,
            status: record.status
        )
        let metrics = handles.handle(labels, make: makeHandles)
        metrics.duration.recordNanoseconds(Int64(record.durationMs * 1_000_000))
        if let input = record.inputTokens, let output = record.outputTokens {
            metrics.inputTokens.record(input)
            metrics.outputTokens.record(output)
        }
        if let firstToken = record.timeToFirstTokenMs { metrics.timeToFirstToken.recordNanoseconds(Int64(firstToken * 1_000_000)) }
        metrics.requests.increment()
        metrics.errors?.increment()
        if !record.attempts.isEmpty { metrics.attemptsPerRequest.record(record.attempts.count) }
        if let prompt = record.promptName, let version = record.promptVersion {
            // Prompt names come from the registry, not from a client: only a registered prompt renders.
            promptCounters.handle([prompt, String(version), record.route ?? "none", String(record.status)]) {
                Counter(
                    label: Self.promptRequests,
                    dimensions: [("prompt", $0[0]), ("version", $0[1]), ("route", $0[2]), ("status", $0[3])],
                    factory: factory
                )
            }
            .increment()
        }
        if let degraded = record.degraded {
            let labels = [record.route ?? "none", degraded]
            degradedCounters.handle(labels) {
                Counter(label: Self.degraded, dimensions: [("route", $0[0]), ("mode", $0[1])], factory: factory)
            }
            .increment()
        }
        if let cost = record.cost {
            costCounters.handle([record.route ?? "none", record.model ?? "none", String(record.usageEstimated)]) {
                FloatingPointCounter(label: Self.cost, dimensions: [("route", $0[0]), ("deployment", $0[1]), ("estimated", $0[2])], factory: factory)
            }
            .increment(by: cost.dollars)
        }
        for redaction in record.redactions {
            // Types come from the route's policy (built in or configured), not from a client.
            redactionCounters.handle([record.route ?? "none", redaction.type.rawValue, redaction.action.rawValue]) {
                Counter(label: Self.redactions, dimensions: [("route", $0[0]), ("type", $0[1]), ("action", $0[2])], factory: factory)
            }
            .increment()
        }
        if let retryCost = record.retryCost, retryCost > .zero { metrics.retryOverheadCost.increment(by: retryCost.dollars) }
        for attempt in record.attempts {
            if attempt.error != nil, let prompt = record.promptTokens, prompt > 0 { metrics.retryOverheadTokens.increment(by: prompt) }
            let handles = attemptHandles.handle(AttemptLabels(provider: attempt.provider, deployment: attempt.model, outcome: attempt.error ?? "ok"))
            {
                let dimensions = [("gen_ai_provider_name", $0.provider), ("deployment", $0.deployment), ("outcome", $0.outcome)]
                return (
                    Counter(label: Self.attempts, dimensions: dimensions, factory: factory),
                    Timer(label: Self.upstreamDuration, dimensions: dimensions, factory: factory)
                )
            }
            handles.count.increment()
            handles.duration.recordNanoseconds(Int64(attempt.durationMs * 1_000_000))
        }
    }

    private func makeHandles(_ labels: Labels) -> Handles {
        let model = [
            ("gen_ai_operation_name", labels.operation), ("keel_api", labels.api), ("gen_ai_provider_name", labels.provider),
            ("gen_ai_request_model", labels.route),
        ]
        let answered = model + [("gen_ai_response_model", labels.deployment)]
        let duration = labels.error.map { answered + [("error_type", $0)] } ?? answered
        return Handles(
            duration: Timer(label: Self.operationDuration, dimensions: duration, factory: factory),
            timeToFirstToken: Timer(label: Self.timeToFirstToken, dimensions: answered, factory: factory),
            inputTokens: Recorder(label: Self.tokenUsage, dimensions: model + [("gen_ai_token_type", "input")], aggregate: true, factory: factory),
            outputTokens: Recorder(label: Self.tokenUsage, dimensions: model + [("gen_ai_token_type", "output")], aggregate: true, factory: factory),
            requests: Counter(label: Self.requests, dimensions: [("route", labels.route), ("status", String(labels.status))], factory: factory),
            errors: labels.error.map { Counter(label: Self.errors, dimensions: [("route", labels.route), ("error_type", $0)], factory: factory) },
            attemptsPerRequest: Recorder(label: Self.attemptsPerRequest, dimensions: [("route", labels.route)], aggregate: true, factory: factory),
            retryOverheadTokens: Counter(label: Self.retryOverheadTokens, dimensions: [("route", labels.route)], factory: factory),
            retryOverheadCost: FloatingPointCounter(label: Self.retryOverheadCost, dimensions: [("route", labels.route)], factory: factory)
        )
    }
}
