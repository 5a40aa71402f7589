/// A `chat.completion` response in OpenAI's schema, kept as its JSON object so that fields Keel
/// does not interpret (`tool_calls`, `system_fingerprint`, …) reach the client unchanged.
public struct ChatCompletion: Sendable, Hashable {
    public private(set) var json: JSONObject

    /// Builds a response with one choice per content.
    public init(id: String, created: Int, model: String, contents: [String], finishReason: String, usage: TokenUsage?) {
        let choices: [JSONValue] = contents.enumerated().map { index, content in
            [
                "index": JSONValue(index),
                "message": ["role": "assistant", "content": .string(content), "refusal": nil],
                "logprobs": nil,
                "finish_reason": .string(finishReason),
            ]
        }
        self.json = JSONObject([
            ("id", .string(id)), ("object", "chat.completion"), ("created", JSONValue(created)), ("model", .string(model)),
            ("choices", .array(choices)), ("usage", usage?.openAI ?? .null),
        ])
    }

    /// Reads an upstream's response, filling in what OpenAI's schema requires and some
    /// compatible servers omit (`refusal`, `logprobs`, `object`, …).
    public init(normalizing value: JSONValue, fallbackID: String, created: Int) throws(UpstreamError) {
        guard var object = value.objectValue, let choices = object["choices"]?.arrayValue else {
            throw UpstreamError(.badResponse, "the response has no 'choices' array")
        }
        try TokenUsage.validate(openAI: object["usage"])
        if object["id"]?.stringValue == nil { object["id"] = .string(fallbackID) }
        object["object"] = "chat.completion"
        if object["created"]?.integerValue == nil { object["created"] = JSONValue(created) }
        if object["model"]?.stringValue == nil { object["model"] = "unknown" }
        var normalized: [JSONValue] = []
        for (position, choice) in choices.enumerated() {
            guard var choice = choice.objectValue, var message = choice["message"]?.objectValue else {
                throw UpstreamError(.badResponse, "choice \(position) has no message")
            }
            if choice["index"] == nil { choice["index"] = JSONValue(position) }
            if message["role"] == nil { message["role"] = "assistant" }
            if message["content"] == nil { message["content"] = nil as JSONValue }
            if message["refusal"] == nil { message["refusal"] = nil as JSONValue }
            choice["message"] = .object(message)
            if choice["logprobs"] == nil { choice["logprobs"] = nil as JSONValue }
            if choice["finish_reason"]?.stringValue == nil { choice["finish_reason"] = "stop" }
            normalized.append(.object(choice))
        }
        object["choices"] = .array(normalized)
        self.json = object
    }

    /// The completion with every choice's text passed through `transform`.
    /// The response with its `choices` (messages, tool calls) as `transform` makes them.
    public func mappingChoices(_ transform: (JSONValue) -> JSONValue) -> ChatCompletion {
        var copy = self
        copy.json["choices"] = transform(json["choices"] ?? .array([]))
        return copy
    }

    public func mappingContent(_ transform: (String) -> String) -> ChatCompletion {
        var copy = self
        let choices = (json["choices"]?.arrayValue ?? []).map { choice -> JSONValue in
            guard var object = choice.objectValue, var message = object["message"]?.objectValue, let text = message["content"]?.stringValue else {
                return choice
            }
            message["content"] = .string(transform(text))
            object["message"] = .object(message)
            return .object(object)
        }
        copy.json["choices"] = .array(choices)
        return copy
    }

    public var id: String { json["id"]?.stringValue ?? "" }
    public var model: String { json["model"]?.stringValue ?? "" }
    public var usage: TokenUsage? { TokenUsage(openAI: json["usage"]) }

    public var finishReasons: [String] {
        (json["choices"]?.arrayValue ?? []).compactMap { $0.objectValue?["finish_reason"]?.stringValue }
    }

    /// Everything the model generated, over all choices: content, refusals and tool-call arguments;
    /// what Keel counts as output when the upstream reports no usage.
    public var generatedText: String {
        (json["choices"]?.arrayValue ?? []).map { GeneratedText.of($0.objectValue?["message"]) }.joined()
    }

    /// The first choice's message.
    public var message: JSONObject? { json["choices"]?.arrayValue?.first?.objectValue?["message"]?.objectValue }

    /// The text of the first choice.
    public var content: String? {
        json["choices"]?.arrayValue?.first?.objectValue?["message"]?.objectValue?["content"]?.stringValue
    }
}
