/// The Messages API's `message` object for a chat completion: text and `tool_use` blocks, Anthropic's
/// stop reasons, and usage in its terms (input tokens without the cached ones, which it counts apart).
public struct AnthropicMessage: Sendable {
    public let id: String
    public let model: String

    public init(id: String, model: String) {
        self.id = id
        self.model = model
    }

    /// The message id of the request `requestID` (`req_…` becomes `msg_…`).
    public static func id(ofRequest requestID: String) -> String { "msg_" + requestID.dropFirst("req_".count) }

    /// The message for a finished completion.
    public func json(for completion: ChatCompletion) -> JSONObject {
        let message = completion.message ?? JSONObject()
        var blocks: [JSONValue] = []
        if let text = message["content"]?.stringValue, !text.isEmpty { blocks.append(.object(Self.textBlock(text))) }
        for call in message["tool_calls"]?.arrayValue ?? [] {
            let function = call.objectValue?["function"]?.objectValue
            blocks.append(
                .object(
                    Self.toolUseBlock(
                        id: call.objectValue?["id"]?.stringValue ?? "",
                        name: function?["name"]?.stringValue ?? "",
                        input: Self.input(function?["arguments"]?.stringValue ?? "")
                    )
                )
            )
        }
        return json(content: blocks, stopReason: Self.stopReason(completion.finishReasons.first), usage: completion.usage)
    }

    /// The message with `content` so far: how `message_start` opens a stream.
    public func json(content: [JSONValue], stopReason: String?, usage: TokenUsage?) -> JSONObject {
        JSONObject([
            ("id", .string(id)), ("type", "message"), ("role", "assistant"), ("model", .string(model)), ("content", .array(content)),
            ("stop_reason", JSONValue(stopReason)), ("stop_sequence", .null), ("usage", .object(Self.usage(usage))),
        ])
    }

    static func textBlock(_ text: String) -> JSONObject { JSONObject([("type", "text"), ("text", .string(text))]) }

    static func toolUseBlock(id: String, name: String, input: JSONValue) -> JSONObject {
        JSONObject([("type", "tool_use"), ("id", .string(id)), ("name", .string(name)), ("input", input)])
    }

    /// A tool call's arguments as the `input` object Anthropic's clients expect (`{}` when they are not JSON).
    static func input(_ arguments: String) -> JSONValue {
        guard let parsed = try? JSONParser.parse(arguments), parsed.objectValue != nil else { return .object(JSONObject()) }
        return parsed
    }

    /// Anthropic's name for why the model stopped.
    static func stopReason(_ finishReason: String?) -> String {
        switch finishReason {
        case "length": "max_tokens"
        case "tool_calls", "function_call": "tool_use"
        case "content_filter": "refusal"
        default: "end_turn"
        }
    }

    /// Usage as Anthropic reports it: cached input apart from the rest.
    static func usage(_ usage: TokenUsage?) -> JSONObject {
        let usage = usage ?? TokenUsage(inputTokens: 0, outputTokens: 0)
        return JSONObject([
            ("input_tokens", JSONValue(usage.inputTokens - usage.cachedInputTokens)), ("output_tokens", JSONValue(usage.outputTokens)),
            ("cache_creation_input_tokens", 0), ("cache_read_input_tokens", JSONValue(usage.cachedInputTokens)),
        ])
    }
}
