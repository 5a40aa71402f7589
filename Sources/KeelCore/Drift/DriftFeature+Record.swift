import Foundation

extension DriftFeature {
    /// The feature's value in a logged request; `nil` when the request has none (no answer, no
    /// prompt, no such metadata field, or a metadata value that is not a number for a numerical feature).
    public func value(of record: RequestRecord) -> JSONValue? {
        switch source {
        case .metadata(let field): metadataValue(record.metadata?[field])
        case .builtIn(.inputTokens): record.inputTokens.map(JSONValue.init)
        case .builtIn(.outputTokens): record.outputTokens.map(JSONValue.init)
        case .builtIn(.latencyMs): .double(record.durationMs)
        case .builtIn(.ttftMs): record.timeToFirstTokenMs.map(JSONValue.double)
        case .builtIn(.costUSD): record.cost.map { .double($0.dollars) }
        case .builtIn(.finishReason): record.finishReasons.first.map(JSONValue.string)
        case .builtIn(.model): record.model.map(JSONValue.string)
        case .builtIn(.promptVersion): record.promptName.map { name in .string("\(name)@\(record.promptVersion.map(String.init) ?? "?")") }
        case .builtIn(.inputScript): record.signals?.inputScript.map { .string($0.rawValue) }
        case .builtIn(.refusal): record.signals?.refusal.map(JSONValue.bool)
        case .builtIn(.jsonValid): record.signals?.answerJSON.map(JSONValue.bool)
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
