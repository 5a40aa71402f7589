import KeelCore
import Synchronization

/// Stores a run's results as its cases finish, several in one transaction: a case waits for the
/// commit that holds its result (nothing counts as done before it is stored, so a killed run
/// resumes exactly where it was), and while one commit runs, the results finishing meanwhile gather
/// for the next — group commit, as databases do for their logs.
final class ResultCommits: Sendable {
    private typealias Waiting = (result: EvaluationResult, done: CheckedContinuation<Void, any Error>)

    private let store: any EvaluationStore
    private let run: String
    private let waiting = Mutex<[Waiting]>([])
    private let signals: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    init(store: any EvaluationStore, run: String) {
        self.store = store
        self.run = run
        (signals, wake) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Returns once `result` is stored.
    func store(_ result: EvaluationResult) async throws {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            waiting.withLock { $0.append((result, done)) }
            wake.yield()
        }
    }

    /// Commits what waits, batch after batch, until ``finish()``; a run's child task.
    func commit() async {
        for await _ in signals { await commitWaiting() }
        await commitWaiting()
    }

    /// Ends ``commit()`` once what waits is stored.
    func finish() { wake.finish() }

    private func commitWaiting() async {
        while true {
            let batch = waiting.withLock { waiting in
                defer { waiting = [] }
                return waiting
            }
            guard !batch.isEmpty else { return }
            do {
                try await store.record(batch.map(\.result), run: run)
                for item in batch { item.done.resume() }
            } catch {
                for item in batch { item.done.resume(throwing: error) }
            }
        }
    }
}
