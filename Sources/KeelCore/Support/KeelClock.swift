import Foundation

/// Where Keel's code reads the time, so that tests can control it.
public struct KeelClock: Sendable {
    /// The wall-clock time, for timestamps.
    public var now: @Sendable () -> Date
    /// A monotonic reading, for durations.
    public var uptime: @Sendable () -> Duration
    /// Waits that Keel chooses (backoff before a retry).
    public var sleep: @Sendable (Duration) async throws -> Void

    public init(
        now: @escaping @Sendable () -> Date,
        uptime: @escaping @Sendable () -> Duration,
        sleep: @escaping @Sendable (Duration) async throws -> Void
    ) {
        self.now = now
        self.uptime = uptime
        self.sleep = sleep
    }

    /// The system's clocks.
    public static let system: KeelClock = {
        let origin = ContinuousClock.now
        return KeelClock(now: { Date() }, uptime: { ContinuousClock.now - origin }, sleep: { try await Task.sleep(for: $0) })
    }()
}

extension Duration {
    /// This duration in (fractional) milliseconds.
    public var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }

    /// This duration in (fractional) seconds.
    public var seconds: Double { milliseconds / 1000 }

    /// This duration in whole nanoseconds, for timers that count in them (saturating past ±292 years).
    public var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds.saturatingMultiply(1_000_000_000).saturatingAdd(attoseconds / 1_000_000_000)
    }
}
