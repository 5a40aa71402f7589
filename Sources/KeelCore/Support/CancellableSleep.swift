import Dispatch
import Synchronization

/// A sleep whose cancellation lets go of its timer at once.
///
/// A cancelled `Task.sleep` returns at once but, on Linux, keeps its timer (and the memory it holds)
/// until the moment it was due. Deadlines are sleeps raced against an upstream call and cancelled
/// when the call wins, almost always; at thousands of requests a second under a 30-second latency
/// budget, `Task.sleep` kept 60 MB of dead timers alive. This one cancels its dispatch timer instead.
public final class CancellableSleep: Sendable {
    private enum State {
        case idle
        case waiting(CheckedContinuation<Void, any Error>, any DispatchSourceTimer)
        case ended
    }

    private static let queue = DispatchQueue(label: "keel.sleep")
    private let state = Mutex(State.idle)

    public init() {}

    /// Sleeps for `duration`, or throws `CancellationError` as soon as the task is cancelled.
    public static func sleep(for duration: Duration) async throws {
        try await CancellableSleep().sleep(for: duration)
    }

    /// Sleeps once for `duration`, or throws `CancellationError` as soon as the task is cancelled.
    public func sleep(for duration: Duration) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                state.withLock { state in
                    guard case .idle = state else {
                        continuation.resume(throwing: CancellationError())
                        return
                    }
                    let timer = DispatchSource.makeTimerSource(queue: Self.queue)
                    timer.setEventHandler { self.end(nil) }
                    timer.schedule(deadline: .now() + .nanoseconds(Int(max(0, duration.nanoseconds))))
                    timer.activate()
                    state = .waiting(continuation, timer)
                }
            }
        } onCancel: {
            end(CancellationError())
        }
    }

    /// Whether a timer is scheduled and not yet fired or cancelled.
    public var isWaiting: Bool {
        state.withLock { state in
            if case .waiting = state { true } else { false }
        }
    }

    private func end(_ error: (any Error)?) {
        let continuation = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            defer { state = .ended }
            guard case .waiting(let continuation, let timer) = state else { return nil }
            timer.cancel()
            return continuation
        }
        if let error { continuation?.resume(throwing: error) } else { continuation?.resume() }
    }
}
