/// One `chat.completion.chunk` of a streamed response in OpenAI's schema, kept as its JSON object.
public struct ChatCompletionChunk: Sendable, Hashable {
    public private(set) var json: JSONObject

    /// A chunk with one choice carrying `delta`.
    public init(id: String, created: Int, model: String, index: Int = 0, delta: JSONObject, finishReason: String? = nil) {
        let choice: JSONValue = [
            "index": JSONValue(index), "delta": .object(delta), "logprobs": nil, "finish_reason": JSONValue(finishReason),
        ]
        self.json = JSONObject([
            ("id", .string(id)), ("object", "chat.completion.chunk"), ("created", JSONValue(created)),
            ("model", .string(model)), ("choices", [choice]),
        ])
    }

    /// The final usage chunk: no choices, only `usage`.
    public init(id: String, created: Int, model: String, usage: TokenUsage) {
        self.json = JSONObject([
            ("id", .string(id)), ("object", "chat.completion.chunk"), ("created", JSONValue(created)),
            ("model", .string(model)), ("choices", []), ("usage", usage.openAI),
        ])
    }

    /// Reads an upstream's chunk, filling in the keys OpenAI's schema requires on every chunk.
    public init(normalizing value: JSONValue) throws(UpstreamError) {
        guard var object = value.objectValue else { throw UpstreamError(.badResponse, "a stream chunk is not a JSON object") }
        try TokenUsage.validate(openAI: object["usage"])
        object["object"] = "chat.completion.chunk"
        if object["id"]?.stringValue == nil { object["id"] = "" }
        if object["created"]?.integerValue == nil { object["created"] = 0 }
        if object["model"]?.stringValue == nil { object["model"] = "unknown" }
        var choices: [JSONValue] = []
        for (position, choice) in (object["choices"]?.arrayValue ?? []).enumerated() {
            guard var choice = choice.objectValue else { throw UpstreamError(.badResponse, "a chunk choice is not an object") }
            if choice["index"] == nil { choice["index"] = JSONValue(position) }
            if choice["delta"]?.objectValue == nil { choice["delta"] = .object(JSONObject()) }
            if choice["finish_reason"] == nil { choice["finish_reason"] = nil as JSONValue }
            if choice["logprobs"] == nil { choice["logprobs"] = nil as JSONValue }
            choices.append(.object(choice))
        }
        object["choices"] = .array(choices)
        self.json = object
    }

    public var usage: TokenUsage? { TokenUsage(openAI: json["usage"]) }

    /// The chunk that only carries usage (`choices` empty), which only clients that asked receive.
    public var isUsageOnly: Bool { usage != nil && (json["choices"]?.arrayValue?.isEmpty ?? true) }

    public var finishReason: String? { firstChoice?["finish_reason"]?.stringValue }

    /// The content text this chunk adds to the first choice.
    public var contentDelta: String? { firstChoice?["delta"]?.objectValue?["content"]?.stringValue }

    /// The refusal text this chunk adds to the first choice.
    public var refusalDelta: String? { firstChoice?["delta"]?.objectValue?["refusal"]?.stringValue }

    /// Everything this chunk adds to what the model generated, over all choices (see
    /// ``ChatCompletion/generatedText``).
    public var generatedText: String {
        (json["choices"]?.arrayValue ?? []).map { GeneratedText.of($0.objectValue?["delta"]) }.joined()
    }

    private var firstChoice: JSONObject? { json["choices"]?.arrayValue?.first?.objectValue }

    public mutating func setModel(_ model: String) { json["model"] = .string(model) }

    /// Sets the first choice's text delta (a chunk without a choice is left as it is).
    public mutating func setContentDelta(_ text: String) {
        guard var choices = json["choices"]?.arrayValue, var choice = choices.first?.objectValue, var delta = choice["delta"]?.objectValue else {
            return
        }
        delta["content"] = .string(text)
        choice["delta"] = .object(delta)
        choices[0] = .object(choice)
        json["choices"] = .array(choices)
    }

    /// The chunk as a client receives it: clients that asked for usage get `usage: null` on every
    /// chunk but the last, as OpenAI sends it; the others get no `usage` key, and no usage chunk (`nil`).
    public func forClient(includeUsage: Bool) -> ChatCompletionChunk? {
        var chunk = self
        if includeUsage {
            if chunk.json["usage"] == nil { chunk.json["usage"] = .null }
        } else {
            if isUsageOnly { return nil }
            chunk.json["usage"] = nil
        }
        return chunk
    }
}
