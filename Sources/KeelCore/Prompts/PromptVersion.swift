import Foundation

/// One immutable version of a prompt: its number within the prompt (1, 2, …), its content and
/// the content's hash, its size in tokens, and who pushed it when.
public struct PromptVersion: Sendable, Hashable {
    public var prompt: PromptName
    public var number: Int
    public var template: PromptTemplate
    public var contentHash: String
    /// The templates' size in tokens (OpenAI's o200k_base), tags included.
    public var tokens: Int
    public var createdAt: Date
    /// The name of the key that pushed it.
    public var createdBy: String?

    public init(prompt: PromptName, number: Int, template: PromptTemplate, tokens: Int, createdAt: Date, createdBy: String?) {
        self.prompt = prompt
        self.number = number
        self.template = template
        self.contentHash = template.contentHash
        self.tokens = tokens
        self.createdAt = createdAt
        self.createdBy = createdBy
    }
}

/// A prompt's name within its team: each team names its prompts freely, and prompts of no team
/// are shared by every team.
public struct PromptName: Sendable, Hashable, CustomStringConvertible {
    public var team: String?
    public var name: String

    public init(team: String?, name: String) {
        self.team = team
        self.name = name
    }

    public var description: String { team.map { "\($0)/\(name)" } ?? name }

    /// Names are 1 to 100 letters, digits, `.`, `_` or `-`.
    public static func problem(with name: String) -> String? {
        name.range(of: #"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"#, options: .regularExpression) == nil
            ? "'\(name)' is not a prompt name (1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit)." : nil
    }
}
