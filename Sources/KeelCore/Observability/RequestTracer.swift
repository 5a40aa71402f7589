import Foundation
import Instrumentation
import Tracing

/// Turns every finished request into a trace: a server span for the request and a client span for
/// each upstream attempt, with the OpenTelemetry GenAI attributes, continuing the client's W3C
/// `traceparent`. The spans are built from the finished record with its own timestamps, so they may
/// be built later, off the request path (Keel hands it records from a background task).
public struct RequestTracer<T: Tracer>: ExchangeObserver {
    private let tracer: T
    /// Whether the request and response bodies (prompts and answers) go on the span, when the
    /// record has them.
    private let content: Bool

    public init(tracer: T, content: Bool = false) {
        self.tracer = tracer
        self.content = content
    }

    public func exchangeFinished(_ record: RequestRecord) {
        var parent = InstrumentationContext.topLevel
        if let traceParent = record.traceParent {
            let carrier = ["traceparent": traceParent, "tracestate": record.traceState].compactMapValues { $0 }
            tracer.extract(carrier, into: &parent, using: DictionaryExtractor())
        }
        let start = record.startedAt
        let span = tracer.startSpan(
            "\(record.operation) \(record.requestedModel ?? "unknown")",
            context: parent,
            ofKind: .server,
            at: EpochInstant(start)
        )
        span.attributes = attributes(of: record)
        if let error = record.errorCode { span.setStatus(SpanStatus(code: .error, message: error)) }
        for attempt in record.attempts {
            let begun = start.addingTimeInterval(attempt.startOffsetMs / 1000)
            let call = tracer.startSpan("\(record.operation) \(attempt.model)", context: span.context, ofKind: .client, at: EpochInstant(begun))
            call.attributes = attributes(of: attempt, operation: record.operation)
            if let error = attempt.error { call.setStatus(SpanStatus(code: .error, message: error)) }
            call.end(at: EpochInstant(begun.addingTimeInterval(attempt.durationMs / 1000)))
        }
        span.end(at: EpochInstant(start.addingTimeInterval(record.durationMs / 1000)))
    }

    private func attributes(of record: RequestRecord) -> SpanAttributes {
        var attributes = SpanAttributes()
        attributes["gen_ai.operation.name"] = record.operation
        attributes["gen_ai.request.model"] = record.requestedModel
        attributes["gen_ai.provider.name"] = record.provider
        attributes["gen_ai.response.model"] = record.responseModel
        attributes["gen_ai.usage.input_tokens"] = record.inputTokens
        attributes["gen_ai.usage.output_tokens"] = record.outputTokens
        if !record.finishReasons.isEmpty { attributes["gen_ai.response.finish_reasons"] = record.finishReasons }
        attributes["error.type"] = record.errorCode
        attributes["http.response.status_code"] = record.status
        attributes["keel.request.id"] = record.id
        attributes["keel.api"] = record.api?.rawValue
        attributes["keel.route"] = record.route
        attributes["keel.deployment"] = record.model
        attributes["keel.attempts"] = record.attempts.count
        attributes["keel.cost_usd"] = record.cost?.dollars
        attributes["keel.usage_estimated"] = record.usageEstimated
        attributes["keel.degraded"] = record.degraded
        attributes["keel.workflow.id"] = record.workflowID
        attributes["keel.prompt.name"] = record.promptName
        attributes["keel.prompt.version"] = record.promptVersion
        attributes["keel.evaluation.run"] = record.evaluationRun
        attributes["keel.time_to_first_token_ms"] = record.timeToFirstTokenMs
        if content {
            attributes["gen_ai.input.messages"] = record.requestBody
            attributes["gen_ai.output.messages"] = record.responseBody
        }
        return attributes
    }

    private func attributes(of attempt: AttemptRecord, operation: String) -> SpanAttributes {
        var attributes = SpanAttributes()
        attributes["gen_ai.operation.name"] = operation
        attributes["gen_ai.provider.name"] = attempt.provider
        attributes["gen_ai.request.model"] = attempt.model
        attributes["error.type"] = attempt.error
        attributes["http.response.status_code"] = attempt.upstreamStatus
        attributes["keel.attempt"] = attempt.number
        return attributes
    }
}

/// A point in time for a span that started or ended in the past.
struct EpochInstant: TracerInstant {
    var nanosecondsSinceEpoch: UInt64

    init(_ date: Date) { nanosecondsSinceEpoch = UInt64(max(date.timeIntervalSince1970, 0) * 1_000_000_000) }

    static func < (lhs: EpochInstant, rhs: EpochInstant) -> Bool { lhs.nanosecondsSinceEpoch < rhs.nanosecondsSinceEpoch }
}

/// Reads trace headers from a dictionary of their values.
private struct DictionaryExtractor: Extractor {
    func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
}
