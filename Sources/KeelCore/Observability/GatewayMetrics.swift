import CoreMetrics
import Synchronization

/// Counts every finished request with the OpenTelemetry GenAI client metrics, in Prometheus form:
/// `gen_ai_client_operation_duration_seconds`, `gen_ai_client_token_usage`, and
/// `keel_requests_total` by route and status. Labels come from configuration (routes, providers),
/// never from what a client sends, so their number stays small — and so the handles for each label
/// set are made once and kept.
public final class GatewayMetrics: ExchangeObserver {
    public static let operationDuration = "gen_ai_client_operation_duration_seconds"
    public static let tokenUsage = "gen_ai_client_token_usage"
    public static let requests = "keel_requests_total"
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

    private struct Labels: Hashable {
        var operation: String
        var provider: String
        var route: String
        var error: String?
        var status: Int
    }

    private struct Handles {
        var duration: Timer
        var inputTokens: Recorder
        var outputTokens: Recorder
        var requests: Counter
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
    private let attemptCounters = HandleCache<AttemptLabels, Counter>()
    private let degradedCounters = HandleCache<[String], Counter>()
    private let costCounters = HandleCache<[String], FloatingPointCounter>()

    public init(factory: any MetricsFactory) {
        self.factory = factory
    }

    public func exchangeFinished(_ record: RequestRecord) {
        let labels = Labels(
            operation: record.operation,
            provider: record.provider ?? "none",
            route: record.route ?? "none",
            error: record.errorCode,
            status: record.status
        )
        let metrics = handles.handle(labels, make: makeHandles)
        metrics.duration.recordNanoseconds(Int64(record.durationMs * 1_000_000))
        if let input = record.inputTokens, let output = record.outputTokens {
            metrics.inputTokens.record(input)
            metrics.outputTokens.record(output)
        }
        metrics.requests.increment()
        if !record.attempts.isEmpty { metrics.attemptsPerRequest.record(record.attempts.count) }
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
        if let retryCost = record.retryCost, retryCost > .zero { metrics.retryOverheadCost.increment(by: retryCost.dollars) }
        for attempt in record.attempts {
            if attempt.error != nil, let prompt = record.promptTokens, prompt > 0 { metrics.retryOverheadTokens.increment(by: prompt) }
            attemptCounters.handle(AttemptLabels(provider: attempt.provider, deployment: attempt.model, outcome: attempt.error ?? "ok")) {
                Counter(
                    label: Self.attempts,
                    dimensions: [("gen_ai_provider_name", $0.provider), ("deployment", $0.deployment), ("outcome", $0.outcome)],
                    factory: factory
                )
            }
            .increment()
        }
    }

    private func makeHandles(_ labels: Labels) -> Handles {
        let model = [
            ("gen_ai_operation_name", labels.operation), ("gen_ai_provider_name", labels.provider), ("gen_ai_request_model", labels.route),
        ]
        let duration = labels.error.map { model + [("error_type", $0)] } ?? model
        return Handles(
            duration: Timer(label: Self.operationDuration, dimensions: duration, factory: factory),
            inputTokens: Recorder(label: Self.tokenUsage, dimensions: model + [("gen_ai_token_type", "input")], aggregate: true, factory: factory),
            outputTokens: Recorder(label: Self.tokenUsage, dimensions: model + [("gen_ai_token_type", "output")], aggregate: true, factory: factory),
            requests: Counter(label: Self.requests, dimensions: [("route", labels.route), ("status", String(labels.status))], factory: factory),
            attemptsPerRequest: Recorder(label: Self.attemptsPerRequest, dimensions: [("route", labels.route)], aggregate: true, factory: factory),
            retryOverheadTokens: Counter(label: Self.retryOverheadTokens, dimensions: [("route", labels.route)], factory: factory),
            retryOverheadCost: FloatingPointCounter(label: Self.retryOverheadCost, dimensions: [("route", labels.route)], factory: factory)
        )
    }
}

/// Metric handles made once per label set and kept: making one registers it with the factory.
private final class HandleCache<Key: Hashable & Sendable, Handle: Sendable>: Sendable {
    private let handles = Mutex<[Key: Handle]>([:])

    func handle(_ key: Key, make: (Key) -> Handle) -> Handle {
        handles.withLock { handles in
            if let known = handles[key] { return known }
            let made = make(key)
            handles[key] = made
            return made
        }
    }
}
