import KeelCore

/// Turns Anthropic stream events into `chat.completion.chunk`s, one event at a time.
struct AnthropicStreamTranslator: Sendable {
    private var id = ""
    private var model = ""
    private let created: Int
    private var inputUsage: TokenUsage?
    private var outputTokens = 0
    /// Anthropic content-block index → OpenAI tool-call index.
    private var toolIndexes: [Int: Int] = [:]
    private(set) var finished = false

    init(created: Int) { self.created = created }

    /// The chunks for one event (often none); throws for an `error` event.
    mutating func translate(_ event: ServerSentEvent) throws -> [ChatCompletionChunk] {
        let json: JSONValue
        do {
            json = try JSONParser.parse(event.data)
        } catch {
            throw UpstreamError(.badResponse, "a stream event is not JSON: \(error)")
        }
        guard let object = json.objectValue else { return [] }
        switch object["type"]?.stringValue ?? event.event {
        case "message_start":
            let message = object["message"]?.objectValue
            id = message?["id"]?.stringValue ?? id
            model = message?["model"]?.stringValue ?? model
            inputUsage = try AnthropicTranslation.usage(message?["usage"])
            return [chunk(delta: JSONObject([("role", "assistant"), ("content", "")]))]
        case "content_block_start":
            guard let block = object["content_block"]?.objectValue, block["type"]?.stringValue == "tool_use" else { return [] }
            let blockIndex = Int(object["index"]?.integerValue ?? 0)
            let toolIndex = toolIndexes.count
            toolIndexes[blockIndex] = toolIndex
            let call: JSONValue = [
                "index": JSONValue(toolIndex), "id": block["id"] ?? "", "type": "function",
                "function": ["name": block["name"] ?? "", "arguments": ""],
            ]
            return [chunk(delta: JSONObject([("tool_calls", [call])]))]
        case "content_block_delta":
            guard let delta = object["delta"]?.objectValue else { return [] }
            switch delta["type"]?.stringValue {
            case "text_delta":
                return [chunk(delta: JSONObject([("content", delta["text"] ?? "")]))]
            case "input_json_delta":
                let toolIndex = toolIndexes[Int(object["index"]?.integerValue ?? 0)] ?? 0
                let call: JSONValue = ["index": JSONValue(toolIndex), "function": ["arguments": delta["partial_json"] ?? ""]]
                return [chunk(delta: JSONObject([("tool_calls", [call])]))]
            default:
                return []
            }
        case "message_delta":
            outputTokens = try TokenUsage.count(object["usage"]?.objectValue?["output_tokens"], "output_tokens") ?? outputTokens
            let reason = AnthropicTranslation.finishReason(object["delta"]?.objectValue?["stop_reason"]?.stringValue)
            return [chunk(delta: JSONObject(), finishReason: reason)]
        case "message_stop":
            finished = true
            var usage = inputUsage ?? TokenUsage(inputTokens: 0, outputTokens: 0)
            usage.outputTokens = outputTokens
            return [ChatCompletionChunk(id: id, created: created, model: model, usage: usage)]
        case "error":
            let error = object["error"]?.objectValue
            let kind: UpstreamError.Kind = error?["type"]?.stringValue == "overloaded_error" ? .unavailable : .serverError
            throw UpstreamError(kind, error?["message"]?.stringValue ?? "the upstream reported an error mid-stream")
        default:
            return []
        }
    }

    private func chunk(delta: JSONObject, finishReason: String? = nil) -> ChatCompletionChunk {
        ChatCompletionChunk(id: id, created: created, model: model, delta: delta, finishReason: finishReason)
    }
}
