import Mustache

/// A prompt version's templates, parsed once, and its variables' contract: renders the messages
/// for a request's variables, or refuses them naming every missing, mistyped or unknown one.
public struct PromptRenderer: Sendable {
    public let template: PromptTemplate
    private let contents: [MustacheTemplate]

    public init(_ template: PromptTemplate) throws(KeelError) {
        self.template = template
        var contents: [MustacheTemplate] = []
        for (position, message) in template.messages.enumerated() {
            do {
                // Prompts are text: nothing is escaped for HTML.
                contents.append(try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + message.content))
            } catch {
                throw KeelError(
                    .invalidValue,
                    "messages.\(position).content is not a valid template: \(error).",
                    param: "messages.\(position).content"
                )
            }
        }
        self.contents = contents
    }

    /// The messages rendered with `variables`, in the prompt's order.
    public func render(_ variables: JSONObject, param: String = "prompt.variables") throws(KeelError) -> [JSONObject] {
        var problems: [String] = []
        let declared = Dictionary(uniqueKeysWithValues: template.variables.map { ($0.name, $0) })
        for variable in template.variables {
            switch variables[variable.name] {
            case nil, .null?:
                if variable.required { problems.append("'\(variable.name)' is missing (\(variable.kind.rawValue))") }
            case let value?:
                if !variable.kind.admits(value) {
                    problems.append("'\(variable.name)' must be \(variable.kind.rawValue), not \(value.typeDescription)")
                }
            }
        }
        for name in variables.keys where declared[name] == nil {
            problems.append("'\(name)' is not a variable of this prompt")
        }
        guard problems.isEmpty else {
            let takes = template.variables.isEmpty ? "no variables" : template.variables.map(\.name).joined(separator: ", ")
            throw KeelError(.invalidValue, "The prompt's variables do not fit: \(problems.joined(separator: "; ")). It takes \(takes).", param: param)
        }
        var context: [String: Any] = [:]
        for (name, value) in variables.entries {
            // An integer variable given as 2.0 renders as 2.
            if declared[name]?.kind == .integer, let integer = value.integerValue {
                context[name] = MustacheJSON.context(.integer(integer))
            } else {
                context[name] = MustacheJSON.context(value)
            }
        }
        return zip(template.messages, contents).map { message, content in
            JSONObject([("role", .string(message.role)), ("content", .string(content.render(context)))])
        }
    }
}
