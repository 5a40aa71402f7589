/// A `POST /v1/responses` body, read into the chat request the pipeline runs and the fields the
/// answer echoes. Function tools, JSON Schema outputs, registered prompts and conversations through
/// `previous_response_id` are supported; OpenAI's built-in tools and the items only its own servers
/// hold (`item_reference`, reasoning state) are refused with a 400 that names them.
public struct ResponsesRequest: Sendable, Hashable {
    /// The chat request the pipeline runs: `instructions` first, then the input as chat messages.
    public let chat: ChatCompletionRequest
    /// How many of ``chat``'s first messages are this request's `instructions` (0 or 1): a
    /// conversation sends them first each time but keeps only the input.
    public let instructionCount: Int
    public let instructions: String?
    /// Whether the response is kept, for `GET /v1/responses/{id}` and `previous_response_id` (the default).
    public let store: Bool
    public let previousResponseID: String?
    /// The fields the response object echoes, as the client sent them.
    public let tools: [JSONValue]
    public let toolChoice: JSONValue
    public let text: JSONObject
    public let maxOutputTokens: Int?
    public let temperature: Double?
    public let topP: Double?
    public let parallelToolCalls: Bool
    public let metadata: JSONObject
    public let user: String?
    public let truncation: String

    /// Chat fields taken from the Responses body under the same name.
    private static let sameFields = [
        "temperature", "top_p", "parallel_tool_calls", "metadata", "user", "service_tier", "prompt_cache_key", "safety_identifier",
    ]
    /// Responses fields that only OpenAI's own servers can serve.
    private static let unsupportedFields = [
        "background": "runs in the background", "conversation": "the Conversations API (continue with 'previous_response_id')",
    ]

    public init(json value: JSONValue) throws(KeelError) {
        let reader = try FieldReader(body: value)
        for (field, what) in Self.unsupportedFields.sorted(by: { $0.key < $1.key }) where Self.isSet(reader.value(field)) {
            throw KeelError(.unsupportedOperation, "Keel does not support \(what): remove '\(field)'.", param: field)
        }
        let model = try reader.required("model", "a string") { $0.stringValue }
        var body = JSONObject([("model", .string(model))])
        self.instructions = try reader.string("instructions")
        var messages: [JSONValue] = instructions.map { [["role": "system", "content": .string($0)]] } ?? []
        self.instructionCount = messages.count
        switch reader.value("input") {
        case nil where reader.value("prompt") != nil: break
        case nil: throw KeelError(.missingField, "Missing required parameter: 'input'.", param: "input")
        case .string(let text): messages.append(["role": "user", "content": .string(text)])
        case .array(let items): messages += try ResponsesInput.messages(of: items)
        case .some(let other): throw reader.typeError("input", "a string or an array of input items", other)
        }
        body["messages"] = .array(messages)
        for field in Self.sameFields { body[field] = reader.value(field) }
        for field in ["prompt", "variables"] { body[field] = reader.value(field) }
        self.maxOutputTokens = try reader.integer("max_output_tokens", in: ChatCompletionRequest.outputTokenRange)
        body["max_completion_tokens"] = maxOutputTokens.map(JSONValue.init)
        let tools = try reader.array("tools") ?? []
        self.tools = tools
        if !tools.isEmpty {
            body["tools"] = .array(try tools.enumerated().map(Self.chatTool))
            // Chat upstreams refuse it without tools.
            body["parallel_tool_calls"] = reader.value("parallel_tool_calls")
        }
        self.toolChoice = reader.value("tool_choice") ?? "auto"
        if let choice = reader.value("tool_choice") { body["tool_choice"] = try Self.chatToolChoice(choice) }
        self.text = try reader.object("text") ?? JSONObject([("format", ["type": "text"])])
        if let format = text["format"] { body["response_format"] = try Self.responseFormat(format) }
        if let effort = try reader.object("reasoning")?["effort"]?.stringValue { body["reasoning_effort"] = .string(effort) }
        if try reader.bool("stream") == true {
            body["stream"] = true
            body["stream_options"] = ["include_usage": true]
        }
        self.store = try reader.bool("store") ?? true
        self.previousResponseID = try reader.string("previous_response_id")
        self.temperature = try reader.number("temperature")
        self.topP = try reader.number("top_p")
        self.parallelToolCalls = try reader.bool("parallel_tool_calls") ?? true
        self.metadata = try reader.object("metadata") ?? JSONObject()
        self.user = try reader.string("user")
        self.truncation = try reader.string("truncation") ?? "disabled"
        guard ["auto", "disabled"].contains(truncation) else { throw reader.invalid("truncation", "must be 'auto' or 'disabled'.") }
        self.chat = try ChatCompletionRequest(json: .object(body))
    }

    private static func isSet(_ value: JSONValue?) -> Bool {
        switch value {
        case nil, .bool(false): false
        default: true
        }
    }

    /// A Responses function tool as a chat tool; OpenAI's built-in tools are refused by name.
    private static func chatTool(_ position: Int, _ tool: JSONValue) throws(KeelError) -> JSONValue {
        let reader = FieldReader(tool.objectValue ?? JSONObject(), path: "tools.\(position)")
        guard tool.objectValue != nil else { throw FieldReader(JSONObject()).typeError("tools.\(position)", "an object", tool) }
        let type = try reader.required("type", "a string") { $0.stringValue }
        guard type == "function" else {
            throw KeelError(
                .unsupportedOperation,
                "Keel does not run OpenAI's built-in tool '\(type)': only function tools are supported; run the tool in your application.",
                param: reader.param("type")
            )
        }
        var function = JSONObject([("name", .string(try reader.required("name", "a string") { $0.stringValue }))])
        function["description"] = reader.value("description")
        function["parameters"] = reader.value("parameters")
        function["strict"] = reader.value("strict")
        return ["type": "function", "function": .object(function)]
    }

    private static func chatToolChoice(_ choice: JSONValue) throws(KeelError) -> JSONValue {
        if let mode = choice.stringValue, ["auto", "none", "required"].contains(mode) { return choice }
        if let object = choice.objectValue, object["type"]?.stringValue == "function", let name = object["name"]?.stringValue {
            return ["type": "function", "function": ["name": .string(name)]]
        }
        throw KeelError(
            .unsupportedOperation,
            "Invalid value for 'tool_choice': Keel takes 'auto', 'none', 'required' or {\"type\": \"function\", \"name\": …}.",
            param: "tool_choice"
        )
    }

    /// `text.format` as a chat `response_format`.
    private static func responseFormat(_ format: JSONValue) throws(KeelError) -> JSONValue? {
        let reader = FieldReader(format.objectValue ?? JSONObject(), path: "text.format")
        switch try reader.required("type", "a string", { $0.stringValue }) {
        case "text":
            return nil
        case "json_object":
            return ["type": "json_object"]
        case "json_schema":
            var schema = JSONObject([("name", .string(try reader.required("name", "a string") { $0.stringValue }))])
            schema["schema"] = .object(try reader.required("schema", "an object") { $0.objectValue })
            schema["description"] = reader.value("description")
            schema["strict"] = reader.value("strict")
            return ["type": "json_schema", "json_schema": .object(schema)]
        case let other:
            throw reader.invalid("type", "'\(other)' is not one of 'text', 'json_object', 'json_schema'.")
        }
    }
}
