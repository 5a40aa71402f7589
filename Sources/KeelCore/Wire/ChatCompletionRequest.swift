/// A `POST /v1/chat/completions` body: typed views of the fields Keel interprets over the JSON
/// object the client sent, which is forwarded with every other field unchanged.
public struct ChatCompletionRequest: Sendable, Hashable {
    /// The public model name the client asked for (a route).
    public let model: String
    public private(set) var messages: [ChatMessage]
    public private(set) var stream: Bool
    /// Whether the client asked for the final usage chunk (`stream_options.include_usage`).
    public let includeUsage: Bool
    /// `max_completion_tokens`, or the older `max_tokens`.
    public let maxOutputTokens: Int?
    public let temperature: Double?
    public let topP: Double?
    public let choiceCount: Int
    public let stop: [String]
    public let tools: [JSONValue]?
    public let toolChoice: JSONValue?
    /// The registered prompt the client named (`prompt: {id, version | label, variables}`), or
    /// variables alone (`variables`) for the route's default prompt; rendered by ``PromptStage``.
    public private(set) var prompt: PromptUse?
    /// The body exactly as the client sent it.
    public private(set) var json: JSONObject

    /// What `max_tokens` may ask for: no model writes more than 2³¹ − 1 tokens, and bounding it
    /// keeps every sum and price computed from it in range.
    public static let outputTokenRange = 1...TokenUsage.maximumCount

    /// Reads and validates a request body.
    public init(json value: JSONValue) throws(KeelError) {
        let reader = try FieldReader(body: value)
        self.model = try reader.required("model", "a string") { $0.stringValue }
        guard !model.isEmpty else { throw reader.invalid("model", "must not be empty.") }
        self.prompt = try PromptUse(reader)
        // With a prompt, the caller's messages may be none: the prompt's come before them.
        let rawMessages = prompt == nil ? try reader.required("messages", "an array") { $0.arrayValue } : try reader.array("messages") ?? []
        guard !rawMessages.isEmpty || prompt != nil else { throw reader.invalid("messages", "must contain at least one message.") }
        var messages: [ChatMessage] = []
        messages.reserveCapacity(rawMessages.count)
        for (position, raw) in rawMessages.enumerated() {
            guard let message = raw.objectValue else { throw reader.typeError("messages.\(position)", "an object", raw) }
            messages.append(try ChatMessage(json: message, path: "messages.\(position)"))
        }
        self.messages = messages
        self.stream = try reader.bool("stream") ?? false
        if let options = try reader.object("stream_options") {
            self.includeUsage = try FieldReader(options, path: "stream_options").bool("include_usage") ?? false
        } else {
            self.includeUsage = false
        }
        if let maxCompletionTokens = try reader.integer("max_completion_tokens", in: Self.outputTokenRange) {
            self.maxOutputTokens = maxCompletionTokens
        } else {
            self.maxOutputTokens = try reader.integer("max_tokens", in: Self.outputTokenRange)
        }
        self.temperature = try reader.number("temperature", in: 0...2)
        self.topP = try reader.number("top_p", in: 0...1)
        self.choiceCount = try reader.integer("n", in: 1...128) ?? 1
        switch reader.value("stop") {
        case nil: self.stop = []
        case .string(let single): self.stop = [single]
        case .array(let many) where many.allSatisfy({ $0.stringValue != nil }): self.stop = many.compactMap(\.stringValue)
        case .some(let other): throw reader.typeError("stop", "a string or an array of strings", other)
        }
        self.tools = try reader.array("tools")
        self.toolChoice = reader.value("tool_choice")
        self.json = reader.object
    }

    /// This request with its prompt's variables replaced (by a contract's normalised record).
    public func replacingVariables(_ variables: JSONObject) -> ChatCompletionRequest {
        var copy = self
        copy.prompt = PromptUse(reference: prompt?.reference, variables: variables)
        return copy
    }

    /// This request with other messages (already valid ones, such as a workflow's stored context).
    public func replacingMessages(_ objects: [JSONObject]) throws(KeelError) -> ChatCompletionRequest {
        var copy = self
        copy.messages = try objects.enumerated().map { position, object throws(KeelError) in
            try ChatMessage(json: object, path: "messages.\(position)")
        }
        copy.json["messages"] = .array(objects.map(JSONValue.object))
        return copy
    }

    /// This request with `prompt`'s rendered messages before the caller's, the prompt's parameters
    /// and answer schema where the caller set none, and no `prompt` or `variables` left for the upstream.
    public func applying(_ rendered: [JSONObject], of template: PromptTemplate, named name: String) throws(KeelError) -> ChatCompletionRequest {
        var json = self.json
        json["prompt"] = nil
        json["variables"] = nil
        json["messages"] = .array(rendered.map(JSONValue.object) + messages.map { .object($0.json) })
        let setsMaximum = json["max_tokens"] != nil || json["max_completion_tokens"] != nil
        for (key, value) in template.parameters.entries where json[key] == nil {
            if ["max_tokens", "max_completion_tokens"].contains(key), setsMaximum { continue }
            json[key] = value
        }
        if let schema = template.responseSchema, json["response_format"] == nil {
            let schemaName = String(name.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" ? $0 : "_" }.prefix(64))
            json["response_format"] = ["type": "json_schema", "json_schema": ["name": .string(schemaName), "schema": .object(schema)]]
        }
        return try ChatCompletionRequest(json: .object(json))
    }

    /// This request answered whole rather than streamed: for an answer read before any of it is released.
    public func unstreamed() -> ChatCompletionRequest {
        var copy = self
        copy.stream = false
        copy.json["stream"] = nil
        copy.json["stream_options"] = nil
        return copy
    }

    /// This request as sent to an upstream: the model replaced by the upstream's id and, when
    /// streaming, usage always requested so that Keel can account for it.
    public func forUpstream(model upstreamModel: String) -> ChatCompletionRequest {
        var copy = self
        copy.json["model"] = .string(upstreamModel)
        if stream {
            var options = json["stream_options"]?.objectValue ?? JSONObject()
            options["include_usage"] = .bool(true)
            copy.json["stream_options"] = .object(options)
        }
        return copy
    }
}
