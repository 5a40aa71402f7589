extension DriftFeature {
    /// The feature's value in a logged request; `nil` when the request has none (no answer, no prompt).
    public func value(of record: RequestRecord) -> JSONValue? {
        switch name {
        case "input_tokens": record.inputTokens.map(JSONValue.init)
        case "output_tokens": record.outputTokens.map(JSONValue.init)
        case "latency_ms": .double(record.durationMs)
        case "ttft_ms": record.timeToFirstTokenMs.map(JSONValue.double)
        case "cost_usd": record.cost.map { .double($0.dollars) }
        case "finish_reason": record.finishReasons.first.map(JSONValue.string)
        case "model": record.model.map(JSONValue.string)
        case "prompt_version": record.promptName.map { name in .string("\(name)@\(record.promptVersion.map(String.init) ?? "?")") }
        default: nil
        }
    }
}
