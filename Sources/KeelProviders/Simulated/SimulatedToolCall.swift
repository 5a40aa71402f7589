import KeelCore

/// The simulator's tool call: the function a request's `tool_choice` names, else its first tool,
/// with arguments made from the tool's JSON Schema (each required property, or every property
/// when none is required: a string's first `enum` value or `"simulated"`, numbers 1, booleans
/// true, arrays and objects empty). A request whose last message is a tool's result, or whose
/// `tool_choice` is `none`, gets an answer instead.
struct SimulatedToolCall: Sendable, Hashable {
    let id: String
    let name: String
    let arguments: String

    init?(answering request: ChatCompletionRequest, id: String) {
        guard let tools = request.tools, !tools.isEmpty, request.messages.last?.role != .tool, request.toolChoice?.stringValue != "none" else {
            return nil
        }
        let named = request.toolChoice?.objectValue?["function"]?.objectValue?["name"]?.stringValue
        let functions = tools.compactMap { $0.objectValue?["function"]?.objectValue }
        guard let function = functions.first(where: { named == nil || $0["name"]?.stringValue == named }) ?? functions.first,
            let name = function["name"]?.stringValue
        else { return nil }
        self.id = id
        self.name = name
        self.arguments = Self.arguments(for: function["parameters"]?.objectValue ?? JSONObject()).jsonString
    }

    /// The call as a chat message's `tool_calls` entry.
    var json: JSONValue {
        ["id": .string(id), "type": "function", "function": ["name": .string(name), "arguments": .string(arguments)]]
    }

    private static func arguments(for schema: JSONObject) -> JSONValue {
        let properties = schema["properties"]?.objectValue ?? JSONObject()
        let required = schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? properties.keys
        var object = JSONObject()
        for name in required {
            object[name] = value(for: properties[name]?.objectValue ?? JSONObject())
        }
        return .object(object)
    }

    private static func value(for schema: JSONObject) -> JSONValue {
        if let first = schema["enum"]?.arrayValue?.first { return first }
        switch schema["type"]?.stringValue {
        case "integer": return 1
        case "number": return 1.0
        case "boolean": return true
        case "array": return []
        case "object": return arguments(for: schema)
        default: return "simulated"
        }
    }
}
