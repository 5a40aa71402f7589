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

    public var totalTokens: Int { inputTokens.saturatingAdd(outputTokens) }

    /// The most tokens one call may report for one count; an upstream reporting more (or fewer
    /// than none) is broken, and its answer is a `bad_response`.
    public static let maximumCount = Int(Int32.max)

    /// An upstream's token count: absent, or a whole number from 0 to ``maximumCount``.
    public static func count(_ value: JSONValue?, _ name: String) throws(UpstreamError) -> Int? {
        guard let value, !value.isNull else { return nil }
        guard let count = value.integerValue, (0...Int64(maximumCount)).contains(count) else {
            throw UpstreamError(.badResponse, "the upstream reported \(value.jsonString) \(name), not a count from 0 to \(maximumCount)")
        }
        return Int(count)
    }

    /// Checks the counts of an OpenAI `usage` object, so that reading it later cannot go wrong.
    public static func validate(openAI value: JSONValue?) throws(UpstreamError) {
        guard let object = value?.objectValue else { return }
        for name in ["prompt_tokens", "input_tokens", "completion_tokens", "output_tokens", "total_tokens"] {
            _ = try count(object[name], name)
        }
        _ = try count(object["prompt_tokens_details"]?.objectValue?["cached_tokens"], "cached_tokens")
        _ = try count(object["completion_tokens_details"]?.objectValue?["reasoning_tokens"], "reasoning_tokens")
    }

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
