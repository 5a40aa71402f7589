/// One message of a chat request, read from its JSON object (which is kept whole for forwarding).
public struct ChatMessage: Sendable, Hashable {
    public enum Role: String, Sendable, Hashable, CaseIterable {
        case system, developer, user, assistant, tool, function
    }

    public let role: Role
    /// The text content; for content given as parts, the text parts joined.
    public let text: String?
    /// Content parts as sent, when the content is an array.
    public let parts: [JSONValue]?
    public let name: String?
    public let toolCalls: [JSONValue]?
    public let toolCallID: String?
    /// The message exactly as the client sent it.
    public let json: JSONObject

    public init(role: Role, content: String, name: String? = nil) {
        var object = JSONObject()
        object["role"] = .string(role.rawValue)
        object["content"] = .string(content)
        object["name"] = name.map(JSONValue.string)
        self.role = role
        self.text = content
        self.parts = nil
        self.name = name
        self.toolCalls = nil
        self.toolCallID = nil
        self.json = object
    }

    init(json object: JSONObject, path: String) throws(KeelError) {
        let reader = FieldReader(object, path: path)
        let roleName = try reader.required("role", "a string") { $0.stringValue }
        guard let role = Role(rawValue: roleName) else {
            let allowed = Role.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            throw reader.invalid("role", "'\(roleName)' is not one of \(allowed).")
        }
        self.role = role
        switch reader.value("content") {
        case nil:
            guard role == .assistant else {
                throw KeelError(.missingField, "Missing required parameter: '\(reader.param("content"))'.", param: reader.param("content"))
            }
            self.text = nil
            self.parts = nil
        case .string(let text):
            self.text = text
            self.parts = nil
        case .array(let parts):
            for (position, part) in parts.enumerated() {
                guard let partObject = part.objectValue else {
                    throw reader.typeError("content.\(position)", "an object", part)
                }
                _ = try FieldReader(partObject, path: reader.param("content.\(position)")).required("type", "a string") { $0.stringValue }
            }
            self.parts = parts
            let texts = parts.compactMap { $0.objectValue?["text"]?.stringValue }
            self.text = texts.isEmpty ? nil : texts.joined(separator: "\n")
        case .some(let other):
            throw reader.typeError("content", "a string or an array of content parts", other)
        }
        self.name = try reader.string("name")
        self.toolCalls = try reader.array("tool_calls")
        self.toolCallID = try reader.string("tool_call_id")
        self.json = object
    }
}
