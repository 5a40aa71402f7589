import Foundation

extension DriftFeature {
    /// The feature's value in a logged request; `nil` when the request has none (no answer, no
    /// prompt, no such metadata field, or a metadata value that is not a number for a numerical feature).
    public func value(of record: RequestRecord) -> JSONValue? {
        if let field = metadataField { return metadataValue(record.metadata?[field]) }
        return switch name {
        case "input_tokens": record.inputTokens.map(JSONValue.init)
        case "output_tokens": record.outputTokens.map(JSONValue.init)
        case "latency_ms": .double(record.durationMs)
        case "ttft_ms": record.timeToFirstTokenMs.map(JSONValue.double)
        case "cost_usd": record.cost.map { .double($0.dollars) }
        case "finish_reason": record.finishReasons.first.map(JSONValue.string)
        case "model": record.model.map(JSONValue.string)
        case "prompt_version": record.promptName.map { name in .string("\(name)@\(record.promptVersion.map(String.init) ?? "?")") }
        case "input_script": record.signals?.inputScript.map { .string($0.rawValue) }
        case "refusal": record.signals?.refusal.map(JSONValue.bool)
        case "json_valid": record.signals?.answerJSON.map(JSONValue.bool)
        default: nil
        }
    }

    /// A metadata value as the feature's kind reads it: numbers from numbers or numeric strings
    /// (metadata values are often strings), categories from strings or any JSON as its text.
    private func metadataValue(_ value: JSONValue?) -> JSONValue? {
        guard let value, !value.isNull else { return nil }
        switch kind {
        case .categorical:
            return value
        case .numerical:
            if value.doubleValue != nil { return value }
            return value.stringValue.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }.map(JSONValue.double)
        }
    }
}
