import Crypto
import Foundation

/// What one version of a prompt holds: messages whose contents are Mustache templates, the typed
/// variables they take, an optional JSON Schema for the answer, and default model parameters.
/// Its identity is its content: ``contentHash`` is the SHA-256 of its canonical JSON.
public struct PromptTemplate: Sendable, Hashable {
    public struct Message: Sendable, Hashable {
        public var role: String
        /// A Mustache template (`{{variable}}`, sections, dotted names), rendered as plain text.
        public var content: String

        public init(role: String, content: String) {
            self.role = role
            self.content = content
        }
    }

    public var messages: [Message]
    public var variables: [PromptVariable]
    /// A JSON Schema the answer must follow, sent as `response_format` when the caller sets none.
    public var responseSchema: JSONObject?
    /// Model parameters (`temperature`, `max_tokens`, `top_p`, …) used when the caller sets none.
    public var parameters: JSONObject

    /// The parameters a prompt may set: what OpenAI's chat completions take and a prompt can fix.
    public static let settableParameters: Set<String> = [
        "temperature", "top_p", "max_tokens", "max_completion_tokens", "presence_penalty", "frequency_penalty", "stop", "seed",
        "reasoning_effort",
    ]
    static let roles: Set<String> = ["system", "developer", "user", "assistant"]

    public init(
        messages: [Message],
        variables: [PromptVariable] = [],
        responseSchema: JSONObject? = nil,
        parameters: JSONObject = JSONObject()
    )
        throws(KeelError)
    {
        self.messages = messages
        self.variables = variables
        self.responseSchema = responseSchema
        self.parameters = parameters
        try validate()
    }

    /// Reads a prompt file's JSON (`messages`, `variables`, `response_schema`, `parameters`); the
    /// `name` and any `description` belong to the prompt, not to its content, and are ignored here.
    public init(json value: JSONValue) throws(KeelError) {
        let reader = try FieldReader(body: value)
        let unknown = reader.object.keys.filter { !["name", "description", "messages", "variables", "response_schema", "parameters"].contains($0) }
        if let first = unknown.first { throw reader.invalid(first, "is not a field of a prompt (messages, variables, response_schema, parameters).") }
        let rawMessages = try reader.required("messages", "an array") { $0.arrayValue }
        var messages: [Message] = []
        for (position, raw) in rawMessages.enumerated() {
            guard let object = raw.objectValue else { throw reader.typeError("messages.\(position)", "an object", raw) }
            let message = FieldReader(object, path: "messages.\(position)")
            messages.append(
                Message(
                    role: try message.required("role", "a string") { $0.stringValue },
                    content: try message.required("content", "a string") { $0.stringValue }
                )
            )
        }
        var variables: [PromptVariable] = []
        for (name, raw) in (try reader.object("variables") ?? JSONObject()).entries {
            let path = "variables.\(name)"
            // `name: string` for short, or `name: {type, required, description}`.
            if let type = raw.stringValue {
                guard let kind = PromptVariable.Kind(rawValue: type) else { throw reader.invalid(name, Self.kindProblem(type)) }
                variables.append(PromptVariable(name: name, kind: kind))
                continue
            }
            guard let object = raw.objectValue else { throw reader.typeError(path, "a type name or an object", raw) }
            let variable = FieldReader(object, path: path)
            let type = try variable.string("type") ?? "string"
            guard let kind = PromptVariable.Kind(rawValue: type) else { throw variable.invalid("type", Self.kindProblem(type)) }
            variables.append(
                PromptVariable(
                    name: name,
                    kind: kind,
                    required: try variable.bool("required") ?? true,
                    description: try variable.string("description")
                )
            )
        }
        let responseSchema = try reader.object("response_schema")
        if let responseSchema {
            // The answer schema is a real JSON Schema: an evaluation's json_schema scorer applies it.
            do { _ = try JSONSchema(.object(responseSchema)) } catch { throw reader.invalid("response_schema", error.message) }
        }
        try self.init(
            messages: messages,
            variables: variables,
            responseSchema: responseSchema,
            parameters: try reader.object("parameters") ?? JSONObject()
        )
    }

    private static func kindProblem(_ type: String) -> String {
        "'\(type)' is not a variable type (\(PromptVariable.Kind.allCases.map(\.rawValue).joined(separator: ", ")))."
    }

    private func validate() throws(KeelError) {
        guard !messages.isEmpty else { throw KeelError(.invalidValue, "A prompt needs at least one message.", param: "messages") }
        for (position, message) in messages.enumerated() where !Self.roles.contains(message.role) {
            throw KeelError(
                .invalidValue,
                "messages.\(position).role: '\(message.role)' is not one of \(Self.roles.sorted().joined(separator: ", ")).",
                param: "messages.\(position).role"
            )
        }
        var names: Set<String> = []
        for variable in variables {
            guard variable.name.range(of: #"^[A-Za-z_][A-Za-z0-9_]{0,63}$"#, options: .regularExpression) != nil else {
                throw KeelError(.invalidValue, "'\(variable.name)' is not a variable name (letters, digits and _, 64 at most).", param: "variables")
            }
            guard names.insert(variable.name).inserted else {
                throw KeelError(.invalidValue, "The variable '\(variable.name)' is declared twice.", param: "variables")
            }
        }
        for key in parameters.keys where !Self.settableParameters.contains(key) {
            throw KeelError(
                .invalidValue,
                "parameters.\(key) is not a parameter a prompt sets (\(Self.settableParameters.sorted().joined(separator: ", "))).",
                param: "parameters.\(key)"
            )
        }
        _ = try PromptRenderer(self)  // every template parses
    }

    /// The canonical JSON of the content: keys in a fixed order, variables sorted by name.
    public var json: JSONObject {
        var object = JSONObject()
        object["messages"] = .array(messages.map { ["role": .string($0.role), "content": .string($0.content)] })
        var declared = JSONObject()
        for variable in variables.sorted(by: { $0.name < $1.name }) {
            var entry = JSONObject([("type", .string(variable.kind.rawValue)), ("required", .bool(variable.required))])
            if let description = variable.description { entry["description"] = .string(description) }
            declared[variable.name] = .object(entry)
        }
        object["variables"] = .object(declared)
        if let responseSchema { object["response_schema"] = .object(responseSchema) }
        object["parameters"] = .object(parameters)
        return object
    }

    /// The SHA-256 of ``json`` with every object's keys sorted, in hex: two versions with the same
    /// content have the same hash, whatever order their file wrote keys in.
    public var contentHash: String {
        func sorted(_ value: JSONValue) -> JSONValue {
            switch value {
            case .object(let object): .object(JSONObject(object.entries.sorted { $0.key < $1.key }.map { ($0.key, sorted($0.value)) }))
            case .array(let items): .array(items.map(sorted))
            default: value
            }
        }
        return Digest.hex(SHA256.hash(data: sorted(.object(json)).serialized()))
    }

    /// Every message's text with its template tags, for counting a version's size.
    public var templateText: String { messages.map(\.content).joined(separator: "\n") }
}
