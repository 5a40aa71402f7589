/// A bucket of `capacity` tokens refilled continuously over `period`, read from an injected clock.
/// Not thread-safe by itself: its owner holds it under a lock.
struct TokenBucket: Sendable {
    let capacity: Double
    let period: Duration
    private var tokens: Double
    private var updated: Duration

    init(capacity: Int, period: Duration = .seconds(60), now: Duration) {
        self.capacity = Double(capacity)
        self.period = period
        self.tokens = Double(capacity)
        self.updated = now
    }

    private mutating func refill(at now: Duration) {
        let elapsed = (now - updated).seconds
        tokens = min(capacity, tokens + elapsed / period.seconds * capacity)
        updated = now
    }

    /// How long until `amount` tokens are there (zero when they are now); never more than a period
    /// for an amount over the capacity, which then waits for a full bucket.
    mutating func wait(for amount: Int, at now: Duration) -> Duration {
        refill(at: now)
        let needed = min(Double(amount), capacity) - tokens
        guard needed > 0 else { return .zero }
        return .milliseconds(Int64((needed / capacity * period.seconds * 1000).rounded(.up)))
    }

    /// Takes `amount` tokens, which ``wait(for:at:)`` said are there.
    mutating func take(_ amount: Int) { tokens -= min(Double(amount), capacity) }

    /// Takes `amount` tokens that were spent elsewhere (another replica admitted them), whether or
    /// not they are there: the bucket may go into debt, which the refill pays back.
    mutating func withdraw(_ amount: Int, at now: Duration) {
        refill(at: now)
        tokens = max(-capacity, tokens - Double(max(0, amount)))
    }
}
