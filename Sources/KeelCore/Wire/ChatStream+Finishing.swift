import Synchronization

extension ChatStream {
    /// This stream with `action` run once when it ends, and awaited before the end (or the failure)
    /// reaches the reader: what must precede the client's `[DONE]`, such as committing a workflow
    /// step, is done first. `action` gets the completion the stream amounted to (see
    /// ``StreamTranscript``). A stream dropped unfinished runs `action` with `.cancelled` in a task
    /// of its own.
    public func finishing(_ action: @escaping @Sendable (Ending, ChatCompletion?) async -> Void) -> ChatStream {
        let transcript = Mutex(StreamTranscript())
        return ChatStream(
            FinishingSequence(
                base: self,
                onChunk: { chunk in transcript.withLock { $0.add(chunk) } },
                action: { ending in await action(ending, transcript.withLock { $0.completion }) }
            )
        )
    }

    /// This stream with `action` run once when it ends, awaited before the end reaches the reader,
    /// as ``finishing(_:)-(Ending,ChatCompletion?)`` does but keeping no transcript: for settling
    /// what does not depend on what was said.
    public func finishing(_ action: @escaping @Sendable (Ending) async -> Void) -> ChatStream {
        ChatStream(FinishingSequence(base: self, onChunk: { _ in }, action: action))
    }
}

private struct FinishingSequence: AsyncSequence, Sendable {
    let base: ChatStream
    let onChunk: @Sendable (ChatCompletionChunk) -> Void
    let action: @Sendable (ChatStream.Ending) async -> Void

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: ChatStream.AsyncIterator
        let onChunk: @Sendable (ChatCompletionChunk) -> Void
        let ending: AsyncEndOnce

        mutating func next() async throws -> ChatCompletionChunk? {
            do {
                guard let chunk = try await base.next() else {
                    await ending.fire(.finished)
                    return nil
                }
                onChunk(chunk)
                return chunk
            } catch {
                await ending.fire(error is CancellationError ? .cancelled : .failed(error))
                throw error
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), onChunk: onChunk, ending: AsyncEndOnce(action))
    }
}

/// Runs its action once: on the first `fire`, or with `.cancelled` when released unfired.
private final class AsyncEndOnce: Sendable {
    private let action: @Sendable (ChatStream.Ending) async -> Void
    private let fired = Atomic<Bool>(false)

    init(_ action: @escaping @Sendable (ChatStream.Ending) async -> Void) { self.action = action }

    func fire(_ ending: ChatStream.Ending) async {
        guard !fired.exchange(true, ordering: .relaxed) else { return }
        await action(ending)
    }

    deinit {
        guard !fired.load(ordering: .relaxed) else { return }
        Task { [action] in await action(.cancelled) }
    }
}
