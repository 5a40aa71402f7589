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

    public init(name: String, provider: String, upstreamModel: String, kind: Kind = .chat, contextWindow: Int? = nil, price: Price = .free) {
        self.name = name
        self.provider = provider
        self.upstreamModel = upstreamModel
        self.kind = kind
        self.contextWindow = contextWindow
        self.price = price
    }
}
