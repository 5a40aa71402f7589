/// A model as one provider serves it: where requests go and what they cost.
public struct ModelDeployment: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case chat, embedding
    }

    /// The name of this deployment in Keel's configuration.
    public var name: String
    /// The configured provider that serves it.
    public var provider: String
    /// The model id the provider knows it by.
    public var upstreamModel: String
    public var kind: Kind
    /// The context window in tokens, when known.
    public var contextWindow: Int?
    public var price: Price
    /// The token encoding (`o200k_base`, `cl100k_base`) when configured; otherwise the one OpenAI
    /// uses for `upstreamModel`, if any.
    public var tokenizer: String?

    public init(
        name: String,
        provider: String,
        upstreamModel: String,
        kind: Kind = .chat,
        contextWindow: Int? = nil,
        price: Price = .free,
        tokenizer: String? = nil
    ) {
        self.name = name
        self.provider = provider
        self.upstreamModel = upstreamModel
        self.kind = kind
        self.contextWindow = contextWindow
        self.price = price
        self.tokenizer = tokenizer
    }
}
