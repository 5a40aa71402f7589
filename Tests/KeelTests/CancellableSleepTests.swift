import Testing

@testable import KeelCore

/// The sleep behind deadlines: it ends on time, and a cancelled one lets go of its timer at once.
@Suite struct CancellableSleepTests {
    @Test func aSleepEndsAfterItsDurationAndWithinOneResolution() async throws {
        let timer = SleepTimer(resolution: .milliseconds(5))
        let started = ContinuousClock.now
        try await CancellableSleep(timer: timer).sleep(for: .milliseconds(30))
        let slept = ContinuousClock.now - started
        #expect(slept >= .milliseconds(30))
        #expect(slept < .seconds(2), "due at 30 ms, ended by the timer's next ticks")
        #expect(timer.pending == 0)
    }

    @Test func aCancelledSleepThrowsAtOnceAndLetsGoOfItsTimer() async throws {
        let timer = SleepTimer(resolution: .milliseconds(5))
        let sleep = CancellableSleep(timer: timer)
        let started = ContinuousClock.now
        let sleeper = Task { try await sleep.sleep(for: .seconds(3600)) }
        while !sleep.isWaiting { await Task.yield() }
        #expect(timer.pending == 1)
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(!sleep.isWaiting)
        #expect(timer.pending == 0, "the sleep left the timer, not kept for an hour")
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test func aSleepCancelledBeforeItStartsNeverWaits() async throws {
        let timer = SleepTimer(resolution: .milliseconds(5))
        let sleep = CancellableSleep(timer: timer)
        let sleeper = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await sleep.sleep(for: .seconds(3600))
        }
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(!sleep.isWaiting)
        #expect(timer.pending == 0)
    }

    @Test func manySleepsShareTheTimerAndEachEndsOnceDue() async throws {
        let timer = SleepTimer(resolution: .milliseconds(5))
        let durations = (0..<500).map { Duration.milliseconds(10 + $0 % 50) }
        let slept = try await withThrowingTaskGroup(of: (Duration, Duration).self) { group in
            for duration in durations {
                group.addTask {
                    let started = ContinuousClock.now
                    try await CancellableSleep(timer: timer).sleep(for: duration)
                    return (duration, ContinuousClock.now - started)
                }
            }
            // Half as many again are cancelled while they wait; they must leave nothing behind.
            for _ in 0..<250 {
                group.addTask {
                    let sleep = CancellableSleep(timer: timer)
                    let sleeper = Task { try await sleep.sleep(for: .seconds(3600)) }
                    while !sleep.isWaiting { await Task.yield() }
                    sleeper.cancel()
                    _ = await sleeper.result
                    return (.zero, .zero)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(slept.count == 750)
        #expect(slept.allSatisfy { duration, elapsed in elapsed >= duration })
        #expect(timer.pending == 0, "every sleep ended or was cancelled, and the timer holds none")
    }
}
