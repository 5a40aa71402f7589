/// A request's use of a registered prompt: which version, and the variables to render it with.
/// Read the way OpenAI's Responses API takes it — `"prompt": {"id": "NAME", "version": "3",
/// "variables": {...}}` — with `"label": "production"` in place of a version; or `"variables"`
/// alone, for the route's default prompt.
public struct PromptUse: Sendable, Hashable {
    /// The prompt named, or `nil` for the route's default.
    public var reference: PromptReference?
    public var variables: JSONObject

    public init(reference: PromptReference?, variables: JSONObject = JSONObject()) {
        self.reference = reference
        self.variables = variables
    }

    /// Reads `prompt` and `variables` from a request body; `nil` when it has neither.
    init?(_ reader: FieldReader) throws(KeelError) {
        let topLevel = try Self.variables(reader, "variables")
        guard let prompt = try reader.object("prompt") else {
            guard let topLevel else { return nil }
            self.init(reference: nil, variables: topLevel)
            return
        }
        let fields = FieldReader(prompt, path: "prompt")
        let name = try fields.required("id", "a string") { $0.stringValue }
        if let problem = RegistryName.problem(with: name) { throw fields.invalid("id", problem) }
        // OpenAI sends the version as a string; a number is taken too.
        let version = try fields.optional("version", "a string") { $0.stringValue ?? $0.integerValue.map(String.init) }
        let selector = try PromptReference.selector(version: version, label: try fields.string("label"))
        let inner = try Self.variables(fields, "variables")
        if inner != nil, topLevel != nil {
            throw KeelError(.invalidValue, "Give the prompt's variables in 'prompt.variables' or in 'variables', not both.", param: "variables")
        }
        self.init(reference: PromptReference(name: name, selector: selector), variables: inner ?? topLevel ?? JSONObject())
    }

    /// Variables as an object, or as a string holding one (as some intake systems send them).
    static func variables(_ reader: FieldReader, _ key: String) throws(KeelError) -> JSONObject? {
        if let text = reader.value(key)?.stringValue, let object = (try? JSONParser.parse(text))?.objectValue { return object }
        return try reader.object(key)
    }
}
