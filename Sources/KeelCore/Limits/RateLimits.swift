import Synchronization

/// Requests and tokens per minute per key, as token buckets: a key may burst a minute's worth and
/// then goes at the configured pace. A refused request costs nothing upstream and is told when to
/// retry.
///
/// Each replica admits from its own buckets, on the request path and without waiting on storage,
/// and ``sync(with:replica:)`` (run every few hundred milliseconds) tells the others what it took:
/// each replica takes what the others admitted out of its own buckets too. So the buckets of all
/// replicas drain together, and a key's limit holds across them, overrun by at most what the other
/// replicas admit for it between two syncs.
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
        /// What this replica admitted since it last told the others.
        var unshared = RateConsumption()
        /// The other replicas' running totals as last read.
        var seen: [String: RateConsumption] = [:]
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
            var mine = all[key.id] ?? Self.fresh(limit, at: now)
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
            mine.unshared = mine.unshared + RateConsumption(requests: 1, tokens: tokens)
            return nil
        }
        if let refusal { throw refusal }
    }

    /// Tells the other replicas what this one admitted since the last sync, and takes what they
    /// admitted meanwhile out of this one's buckets. A failed exchange keeps this replica's part for
    /// the next.
    public func sync(with store: any RateLimitStore, replica: String) async throws {
        guard !isEmpty else { return }
        let admitted = buckets.withLock { all -> [String: RateConsumption] in
            var admitted: [String: RateConsumption] = [:]
            for (key, var mine) in all where !mine.unshared.isEmpty {
                admitted[key] = mine.unshared
                mine.unshared = RateConsumption()
                all[key] = mine
            }
            return admitted
        }
        let totals: [String: [String: RateConsumption]]
        do {
            totals = try await store.exchange(admitted, replica: replica)
        } catch {
            buckets.withLock { all in
                for (key, consumption) in admitted {
                    guard var mine = all[key] else { continue }
                    mine.unshared = mine.unshared + consumption
                    all[key] = mine
                }
            }
            throw error
        }
        let now = clock.uptime()
        buckets.withLock { all in
            for (key, replicas) in totals {
                // A key this replica has not limited yet starts from a full bucket like any new key.
                guard var mine = all[key] else { continue }
                for (other, total) in replicas {
                    // A replica seen for the first time is a baseline: what it admitted earlier is history.
                    if let before = mine.seen[other] {
                        let taken = total - before
                        mine.requests?.withdraw(taken.requests, at: now)
                        mine.tokens?.withdraw(taken.tokens, at: now)
                    }
                    mine.seen[other] = total
                }
                all[key] = mine
            }
        }
    }

    private static func fresh(_ limit: Limit, at now: Duration) -> Buckets {
        Buckets(
            requests: limit.requestsPerMinute.map { TokenBucket(capacity: $0, now: now) },
            tokens: limit.tokensPerMinute.map { TokenBucket(capacity: $0, now: now) }
        )
    }
}
