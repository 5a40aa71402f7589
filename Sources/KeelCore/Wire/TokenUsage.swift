/// Token counts of one call, as the upstream reported them.
public struct TokenUsage: Sendable, Hashable {
    public var inputTokens: Int
    public var outputTokens: Int
    /// Input tokens served from the provider's prompt cache (part of ``inputTokens``).
    public var cachedInputTokens: Int
    /// Output tokens spent on reasoning (part of ``outputTokens``).
    public var reasoningTokens: Int

    public init(inputTokens: Int, outputTokens: Int, cachedInputTokens: Int = 0, reasoningTokens: Int = 0) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedInputTokens = cachedInputTokens
        self.reasoningTokens = reasoningTokens
    }

    public var totalTokens: Int { inputTokens + outputTokens }

    /// Reads an OpenAI `usage` object; `nil` when it is absent or has no token counts.
    public init?(openAI value: JSONValue?) {
        guard let object = value?.objectValue else { return nil }
        guard let input = object["prompt_tokens"]?.integerValue ?? object["input_tokens"]?.integerValue else { return nil }
        let output = object["completion_tokens"]?.integerValue ?? object["output_tokens"]?.integerValue ?? 0
        let cached = object["prompt_tokens_details"]?.objectValue?["cached_tokens"]?.integerValue ?? 0
        let reasoning = object["completion_tokens_details"]?.objectValue?["reasoning_tokens"]?.integerValue ?? 0
        self.init(inputTokens: Int(input), outputTokens: Int(output), cachedInputTokens: Int(cached), reasoningTokens: Int(reasoning))
    }

    /// The OpenAI `usage` object.
    public var openAI: JSONValue {
        [
            "prompt_tokens": JSONValue(inputTokens),
            "completion_tokens": JSONValue(outputTokens),
            "total_tokens": JSONValue(totalTokens),
            "prompt_tokens_details": ["cached_tokens": JSONValue(cachedInputTokens)],
            "completion_tokens_details": ["reasoning_tokens": JSONValue(reasoningTokens)],
        ]
    }
}
