/// Requests and tokens admitted for one key.
public struct RateConsumption: Sendable, Hashable {
    public var requests: Int
    public var tokens: Int

    public init(requests: Int = 0, tokens: Int = 0) {
        self.requests = requests
        self.tokens = tokens
    }

    public static func + (lhs: RateConsumption, rhs: RateConsumption) -> RateConsumption {
        RateConsumption(requests: lhs.requests.saturatingAdd(rhs.requests), tokens: lhs.tokens.saturatingAdd(rhs.tokens))
    }

    public static func - (lhs: RateConsumption, rhs: RateConsumption) -> RateConsumption {
        RateConsumption(requests: lhs.requests.saturatingSubtract(rhs.requests), tokens: lhs.tokens.saturatingSubtract(rhs.tokens))
    }

    public var isEmpty: Bool { requests == 0 && tokens == 0 }
}

/// Where replicas share what they admitted, so that a key's limits hold across all of them: each
/// replica keeps a running total per key, and reads the others'.
public protocol RateLimitStore: Sendable {
    /// Adds what `replica` admitted since its last exchange to its running totals, and returns the
    /// running totals of every other replica, by key and then replica.
    func exchange(_ admitted: [String: RateConsumption], replica: String) async throws -> [String: [String: RateConsumption]]
}
