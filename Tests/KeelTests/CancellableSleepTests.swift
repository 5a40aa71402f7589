import KeelCore
import Testing

/// The sleep behind deadlines: it ends on time, and a cancelled one lets go of its timer at once.
@Suite struct CancellableSleepTests {
    @Test func aSleepEndsAfterItsDuration() async throws {
        let started = ContinuousClock.now
        try await CancellableSleep.sleep(for: .milliseconds(30))
        #expect(ContinuousClock.now - started >= .milliseconds(30))
    }

    @Test func aCancelledSleepThrowsAtOnceAndLetsGoOfItsTimer() async throws {
        let sleep = CancellableSleep()
        let started = ContinuousClock.now
        let sleeper = Task { try await sleep.sleep(for: .seconds(3600)) }
        while !sleep.isWaiting { await Task.yield() }
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(!sleep.isWaiting, "the timer was cancelled, not left to fire in an hour")
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test func aSleepCancelledBeforeItStartsNeverWaits() async throws {
        let sleep = CancellableSleep()
        let sleeper = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await sleep.sleep(for: .seconds(3600))
        }
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(!sleep.isWaiting)
    }
}
