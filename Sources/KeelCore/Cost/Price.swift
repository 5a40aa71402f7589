/// What a model costs per token, given in configuration as US dollars per million tokens.
public struct Price: Sendable, Hashable {
    public var input: Money
    public var output: Money
    /// Input tokens read from the provider's prompt cache.
    public var cachedInput: Money

    /// Prices per token.
    public init(perTokenInput input: Money, output: Money, cachedInput: Money? = nil) {
        self.input = input
        self.output = output
        self.cachedInput = cachedInput ?? input
    }

    /// Prices in US dollars per million tokens, as price lists give them.
    public init(inputPerMillion: Double, outputPerMillion: Double, cachedInputPerMillion: Double? = nil) {
        self.init(
            perTokenInput: Money(dollars: inputPerMillion / 1e6),
            output: Money(dollars: outputPerMillion / 1e6),
            cachedInput: cachedInputPerMillion.map { Money(dollars: $0 / 1e6) }
        )
    }

    public static let free = Price(perTokenInput: .zero, output: .zero)

    /// The cost of one call's usage.
    public func cost(of usage: TokenUsage) -> Money {
        let cached = min(usage.cachedInputTokens, usage.inputTokens)
        return input * (usage.inputTokens - cached) + cachedInput * cached + output * usage.outputTokens
    }
}
