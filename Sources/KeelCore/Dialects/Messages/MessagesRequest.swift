/// A `POST /v1/messages` body (Anthropic's Messages API), read into the chat request the pipeline
/// runs: `system` first, tool results as `tool` messages, `tool_use` blocks as the assistant's tool
/// calls. Anthropic's server tools are refused with a 400 that names them; `top_k` and extended
/// thinking have no chat equivalent and are left out.
public struct MessagesRequest: Sendable, Hashable {
    public let chat: ChatCompletionRequest

    /// Reads a body; `counting` reads one of `POST /v1/messages/count_tokens`, which has no `max_tokens`.
    public init(json value: JSONValue, counting: Bool = false) throws(KeelError) {
        let reader = try FieldReader(body: value)
        let model = try reader.required("model", "a string") { $0.stringValue }
        var body = JSONObject([("model", .string(model))])
        var messages: [JSONValue] = []
        switch reader.value("system") {
        case nil: break
        case .string(let text): messages.append(["role": "system", "content": .string(text)])
        case .array(let blocks):
            let parts = try blocks.enumerated().map { position, block throws(KeelError) -> JSONValue in
                let fields = try Self.block(block, path: "system.\(position)")
                return ["type": "text", "text": .string(try fields.required("text", "a string") { $0.stringValue })]
            }
            messages.append(["role": "system", "content": .array(parts)])
        case .some(let other): throw reader.typeError("system", "a string or an array of text blocks", other)
        }
        let turns = try reader.required("messages", "an array") { $0.arrayValue }
        guard !turns.isEmpty else { throw reader.invalid("messages", "must contain at least one message.") }
        for (position, turn) in turns.enumerated() {
            messages += try Self.messages(of: turn, path: "messages.\(position)")
        }
        body["messages"] = .array(messages)
        let maxTokens = try reader.integer("max_tokens", in: ChatCompletionRequest.outputTokenRange)
        if maxTokens == nil, !counting { throw KeelError(.missingField, "Missing required parameter: 'max_tokens'.", param: "max_tokens") }
        body["max_completion_tokens"] = maxTokens.map(JSONValue.init)
        body["temperature"] = try reader.number("temperature", in: 0...1).map(JSONValue.double)
        body["top_p"] = try reader.number("top_p", in: 0...1).map(JSONValue.double)
        if let stops = try reader.optional("stop_sequences", "an array of strings", { value in value.arrayValue?.compactMap(\.stringValue) }) {
            if !stops.isEmpty { body["stop"] = .array(stops.map(JSONValue.string)) }
        }
        let tools = try reader.array("tools") ?? []
        if !tools.isEmpty { body["tools"] = .array(try tools.enumerated().map(Self.chatTool)) }
        if let choice = try reader.object("tool_choice") {
            let (chatChoice, parallel) = try Self.chatToolChoice(FieldReader(choice, path: "tool_choice"))
            body["tool_choice"] = chatChoice
            if !tools.isEmpty, let parallel { body["parallel_tool_calls"] = .bool(parallel) }
        }
        if var metadata = try reader.object("metadata") {
            body["user"] = metadata["user_id"]
            metadata["user_id"] = nil
            if !metadata.isEmpty { body["metadata"] = .object(metadata) }
        }
        if try reader.bool("stream") == true {
            body["stream"] = true
            body["stream_options"] = ["include_usage": true]
        }
        for field in ["prompt", "variables"] { body[field] = reader.value(field) }
        self.chat = try ChatCompletionRequest(json: .object(body))
    }

    /// One Anthropic message as chat messages: a user turn's tool results become `tool` messages
    /// (first, as Anthropic requires them to come), its other blocks a user message.
    private static func messages(of turn: JSONValue, path: String) throws(KeelError) -> [JSONValue] {
        guard let object = turn.objectValue else { throw FieldReader(JSONObject()).typeError(path, "an object", turn) }
        let reader = FieldReader(object, path: path)
        let role = try reader.required("role", "a string") { $0.stringValue }
        guard role == "user" || role == "assistant" else { throw reader.invalid("role", "'\(role)' is not one of 'user', 'assistant'.") }
        let blocks: [JSONValue]
        switch reader.value("content") {
        case .string(let text): return [["role": .string(role), "content": .string(text)]]
        case .array(let array): blocks = array
        case let other: throw reader.typeError("content", "a string or an array of content blocks", other ?? .null)
        }
        var parts: [JSONValue] = []
        var text = ""
        var toolCalls: [JSONValue] = []
        var results: [JSONValue] = []
        for (position, block) in blocks.enumerated() {
            let fields = try Self.block(block, path: reader.param("content.\(position)"))
            switch try fields.required("type", "a string", { $0.stringValue }) {
            case "text":
                let value = try fields.required("text", "a string") { $0.stringValue }
                text += value
                parts.append(["type": "text", "text": .string(value)])
            case "image" where role == "user":
                parts.append(["type": "image_url", "image_url": ["url": .string(try imageURL(fields))]])
            case "tool_use" where role == "assistant":
                let input = fields.value("input") ?? .object(JSONObject())
                toolCalls.append([
                    "id": .string(try fields.required("id", "a string") { $0.stringValue }), "type": "function",
                    "function": [
                        "name": .string(try fields.required("name", "a string") { $0.stringValue }), "arguments": .string(input.jsonString),
                    ],
                ])
            case "tool_result" where role == "user":
                let id = try fields.required("tool_use_id", "a string") { $0.stringValue }
                let content: String
                switch fields.value("content") {
                case nil: content = ""
                case .string(let value): content = value
                case .array(let inner): content = inner.compactMap { $0.objectValue?["text"]?.stringValue }.joined(separator: "\n")
                case .some(let other): throw fields.typeError("content", "a string or an array of blocks", other)
                }
                results.append(["role": "tool", "tool_call_id": .string(id), "content": .string(content)])
            case "thinking", "redacted_thinking":
                continue
            case let type:
                throw KeelError(
                    .unsupportedOperation,
                    "Keel does not support '\(type)' content blocks in \(role) messages.",
                    param: fields.param("type")
                )
            }
        }
        if role == "assistant" {
            var message = JSONObject([("role", "assistant"), ("content", toolCalls.isEmpty || !text.isEmpty ? .string(text) : .null)])
            if !toolCalls.isEmpty { message["tool_calls"] = .array(toolCalls) }
            return [.object(message)]
        }
        return results + (parts.isEmpty ? [] : [["role": "user", "content": .array(parts)]])
    }

    private static func block(_ block: JSONValue, path: String) throws(KeelError) -> FieldReader {
        guard let object = block.objectValue else { throw FieldReader(JSONObject()).typeError(path, "an object", block) }
        return FieldReader(object, path: path)
    }

    /// An image block's source as the URL a chat upstream takes: a data URL for base64.
    private static func imageURL(_ fields: FieldReader) throws(KeelError) -> String {
        guard let source = try fields.object("source") else {
            throw KeelError(.missingField, "Missing required parameter: '\(fields.param("source"))'.", param: fields.param("source"))
        }
        let reader = FieldReader(source, path: fields.param("source"))
        switch try reader.required("type", "a string", { $0.stringValue }) {
        case "base64":
            let media = try reader.required("media_type", "a string") { $0.stringValue }
            return "data:\(media);base64,\(try reader.required("data", "a string") { $0.stringValue })"
        case "url":
            return try reader.required("url", "a string") { $0.stringValue }
        case let other:
            throw KeelError(.unsupportedOperation, "Keel takes images by 'base64' or 'url' source, not '\(other)'.", param: reader.param("type"))
        }
    }

    /// An Anthropic client tool as a chat function tool; server tools (web search, code execution…) are refused.
    private static func chatTool(_ position: Int, _ tool: JSONValue) throws(KeelError) -> JSONValue {
        let fields = try block(tool, path: "tools.\(position)")
        if let type = try fields.string("type"), type != "custom" {
            throw KeelError(
                .unsupportedOperation,
                "Keel does not run Anthropic's server tool '\(type)': only client tools (name, description, input_schema) are supported.",
                param: fields.param("type")
            )
        }
        var function = JSONObject([("name", .string(try fields.required("name", "a string") { $0.stringValue }))])
        function["description"] = fields.value("description")
        function["parameters"] = .object(try fields.required("input_schema", "an object") { $0.objectValue })
        return ["type": "function", "function": .object(function)]
    }

    /// `tool_choice` in chat's terms, and whether parallel tool calls stay allowed.
    private static func chatToolChoice(_ reader: FieldReader) throws(KeelError) -> (JSONValue, Bool?) {
        let parallel = try reader.bool("disable_parallel_tool_use").map { !$0 }
        switch try reader.required("type", "a string", { $0.stringValue }) {
        case "auto": return ("auto", parallel)
        case "any": return ("required", parallel)
        case "none": return ("none", nil)
        case "tool":
            let name = try reader.required("name", "a string") { $0.stringValue }
            return (["type": "function", "function": ["name": .string(name)]], parallel)
        case let other: throw reader.invalid("type", "'\(other)' is not one of 'auto', 'any', 'tool', 'none'.")
        }
    }
}
