import Synchronization

/// The one timer behind every ``CancellableSleep``.
///
/// A sleep is an entry in a bucket of ``resolution``, added and removed under a lock, with no kernel
/// timer of its own. While any sleep waits, one task wakes once per resolution and ends those that are
/// due; when none waits, it stops. Arming and cancelling a deadline therefore costs a dictionary
/// insert and removal on the request's own thread, where a timer per sleep woke libdispatch's timer
/// thread on each (3.5 context switches a request). A sleep ends at most one resolution late.
final class SleepTimer: Sendable {
    /// The timer deadlines share: 5 ms is nothing next to a latency budget and wakes 200 times a
    /// second at most, only while a deadline is pending.
    static let shared = SleepTimer(resolution: .milliseconds(5))

    private struct State {
        /// Sleeps by the tick they are due at, each keyed by its id.
        var buckets: [Int64: [ObjectIdentifier: CancellableSleep]] = [:]
        var pending = 0
        /// Every tick up to this one has been ended.
        var lastTick: Int64 = 0
        var isTicking = false
    }

    let resolution: Duration
    private let resolutionNanoseconds: Int64
    private let origin = ContinuousClock.now
    private let state = Mutex(State())

    init(resolution: Duration) {
        self.resolution = resolution
        self.resolutionNanoseconds = max(1, resolution.nanoseconds)
    }

    /// How many sleeps wait on this timer.
    var pending: Int { state.withLock { $0.pending } }

    /// Adds `sleep`, due after `duration`; returns the tick to remove it from if it is cancelled.
    func add(_ sleep: CancellableSleep, after duration: Duration) -> Int64 {
        let elapsed = (ContinuousClock.now - origin).nanoseconds
        let due = (elapsed + max(0, duration.nanoseconds) + resolutionNanoseconds - 1) / resolutionNanoseconds
        let (tick, startsTicking) = state.withLock { state -> (Int64, Bool) in
            let startsTicking = !state.isTicking
            if startsTicking {
                state.isTicking = true
                state.lastTick = elapsed / resolutionNanoseconds
            }
            let tick = max(due, state.lastTick + 1)
            state.buckets[tick, default: [:]][ObjectIdentifier(sleep)] = sleep
            state.pending += 1
            return (tick, startsTicking)
        }
        // The ticking task lives only while sleeps wait; it is a process-wide timer, not a child of
        // any one request, so it is detached from whichever task happened to start it.
        if startsTicking { Task.detached { await self.tickWhileSleepsWait() } }
        return tick
    }

    /// Removes a cancelled `sleep` before it is due.
    func remove(_ sleep: CancellableSleep, at tick: Int64) {
        state.withLock { state in
            guard state.buckets[tick]?.removeValue(forKey: ObjectIdentifier(sleep)) != nil else { return }
            state.pending -= 1
            if state.buckets[tick]?.isEmpty == true { state.buckets[tick] = nil }
        }
    }

    private func tickWhileSleepsWait() async {
        while true {
            try? await Task.sleep(for: resolution)
            let now = (ContinuousClock.now - origin).nanoseconds / resolutionNanoseconds
            let (due, keepsTicking) = state.withLock { state -> ([CancellableSleep], Bool) in
                var due: [CancellableSleep] = []
                while state.lastTick < now {
                    state.lastTick += 1
                    if let bucket = state.buckets.removeValue(forKey: state.lastTick) { due.append(contentsOf: bucket.values) }
                }
                state.pending -= due.count
                state.isTicking = state.pending > 0
                return (due, state.isTicking)
            }
            for sleep in due { sleep.end(nil) }
            if !keepsTicking { return }
        }
    }
}
