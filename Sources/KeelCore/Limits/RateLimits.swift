import Synchronization

/// Requests and tokens per minute per key, as token buckets: a key may burst a minute's worth and
/// then goes at the configured pace. A refused request costs nothing upstream and is told when to
/// retry.
public final class RateLimits: Sendable {
    /// A key's limits; `nil` for no limit.
    public struct Limit: Sendable, Hashable {
        public var requestsPerMinute: Int?
        public var tokensPerMinute: Int?

        public init(requestsPerMinute: Int? = nil, tokensPerMinute: Int? = nil) {
            self.requestsPerMinute = requestsPerMinute
            self.tokensPerMinute = tokensPerMinute
        }
    }

    private struct Buckets {
        var requests: TokenBucket?
        var tokens: TokenBucket?
    }

    private let defaultLimit: Limit
    private let byKeyName: [String: Limit]
    private let clock: KeelClock
    private let buckets = Mutex<[String: Buckets]>([:])

    /// - Parameters:
    ///   - defaultLimit: for keys with no limit of their own.
    ///   - byKeyName: limits of particular keys, by key name.
    public init(defaultLimit: Limit = Limit(), byKeyName: [String: Limit] = [:], clock: KeelClock) {
        self.defaultLimit = defaultLimit
        self.byKeyName = byKeyName
        self.clock = clock
    }

    public var isEmpty: Bool { defaultLimit == Limit() && byKeyName.values.allSatisfy { $0 == Limit() } }

    /// Takes one request and `tokens` tokens from `key`'s buckets, or throws `rate_limit_exceeded`
    /// with the seconds to wait (and takes nothing).
    public func admit(_ key: APIKey, tokens: Int) throws(KeelError) {
        let limit = byKeyName[key.name] ?? defaultLimit
        guard limit != Limit() else { return }
        let now = clock.uptime()
        let refusal = buckets.withLock { all -> KeelError? in
            var mine =
                all[key.id]
                ?? Buckets(
                    requests: limit.requestsPerMinute.map { TokenBucket(capacity: $0, now: now) },
                    tokens: limit.tokensPerMinute.map { TokenBucket(capacity: $0, now: now) }
                )
            defer { all[key.id] = mine }
            let requestWait = mine.requests?.wait(for: 1, at: now) ?? .zero
            let tokenWait = mine.tokens?.wait(for: tokens, at: now) ?? .zero
            guard requestWait == .zero, tokenWait == .zero else {
                let which = requestWait > .zero ? "requests" : "tokens"
                let seconds = Int(max(requestWait, tokenWait).seconds.rounded(.up))
                return KeelError(
                    .rateLimitExceeded,
                    "Rate limit reached for this key's \(which) per minute; retry in \(seconds) s.",
                    retryAfter: max(1, seconds)
                )
            }
            mine.requests?.take(1)
            mine.tokens?.take(tokens)
            return nil
        }
        if let refusal { throw refusal }
    }
}
