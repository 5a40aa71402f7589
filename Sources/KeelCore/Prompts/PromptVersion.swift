import Foundation

/// One immutable version of a prompt: its number within the prompt (1, 2, …), its content and
/// the content's hash, its size in tokens, and who pushed it when.
public struct PromptVersion: Sendable, Hashable {
    public var prompt: RegistryName
    public var number: Int
    public var template: PromptTemplate
    public var contentHash: String
    /// The templates' size in tokens (OpenAI's o200k_base), tags included.
    public var tokens: Int
    public var createdAt: Date
    /// The name of the key that pushed it.
    public var createdBy: String?

    public init(prompt: RegistryName, number: Int, template: PromptTemplate, tokens: Int, createdAt: Date, createdBy: String?) {
        self.prompt = prompt
        self.number = number
        self.template = template
        self.contentHash = template.contentHash
        self.tokens = tokens
        self.createdAt = createdAt
        self.createdBy = createdBy
    }
}
