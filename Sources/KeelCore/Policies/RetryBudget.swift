import Synchronization

/// Limits retries to a share of requests, so that an outage cannot multiply the load on an upstream.
///
/// A token bucket: every request adds `ratio` of a token, every retry spends one; the bucket holds
/// at most `capacity` tokens and starts full, so a quiet upstream can still retry a short burst.
public final class RetryBudget: Sendable {
    public let ratio: Double
    public let capacity: Double
    private let tokens: Mutex<Double>

    public init(ratio: Double = 0.2, capacity: Double = 10) {
        self.ratio = ratio
        self.capacity = capacity
        self.tokens = Mutex(capacity)
    }

    /// Counts a request (first attempts only).
    public func recordRequest() {
        tokens.withLock { $0 = min(capacity, $0 + ratio) }
    }

    /// Spends a token for a retry; `false` when the budget is used up.
    public func tryRetry() -> Bool {
        tokens.withLock { tokens in
            guard tokens >= 1 else { return false }
            tokens -= 1
            return true
        }
    }

    public var available: Double { tokens.withLock { $0 } }
}
