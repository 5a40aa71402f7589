import Foundation
import KeelCore
import Synchronization

/// A clock that moves only when told to.
public final class ManualClock: Sendable {
    private let elapsed = Mutex<Duration>(.zero)
    private let origin: Date

    public init(origin: Date = Date(timeIntervalSince1970: 1_800_000_000)) { self.origin = origin }

    public func advance(by duration: Duration) { elapsed.withLock { $0 += duration } }

    /// Waits made on this clock do not wait: they move the clock on by their duration.
    public var keelClock: KeelClock {
        KeelClock(
            now: { [self] in origin.addingTimeInterval(elapsed.withLock { $0 }.seconds) },
            uptime: { [self] in elapsed.withLock { $0 } },
            sleep: { [self] duration in advance(by: duration) }
        )
    }
}
