/// Exponential backoff with full jitter: the wait before retry `n` is uniform in
/// `[0, min(cap, base × 2ⁿ)]`, so that clients retrying together spread out.
public struct Backoff: Sendable, Hashable {
    public var base: Duration
    /// The longest wait, also for an upstream's `Retry-After`.
    public var cap: Duration

    public init(base: Duration = .milliseconds(100), cap: Duration = .seconds(5)) {
        self.base = base
        self.cap = cap
    }

    /// The wait before retry number `retry` (0 for the first retry), with `unit` a draw in [0, 1).
    public func delay(beforeRetry retry: Int, unit: Double) -> Duration {
        let ceiling = min(cap.seconds, base.seconds * Double(1 << min(retry, 30)))
        return .microseconds(Int64(ceiling * min(max(unit, 0), 1) * 1_000_000))
    }
}
