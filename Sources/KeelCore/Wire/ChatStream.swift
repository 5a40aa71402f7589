import Synchronization

/// A streamed chat completion: the chunks in order, ending with the usage chunk when the
/// upstream reports usage. Iterating it drives the upstream; dropping it cancels the upstream call.
public struct ChatStream: AsyncSequence, Sendable {
    public typealias Element = ChatCompletionChunk
    public typealias Failure = any Error

    private let chunks: any AsyncSequence<ChatCompletionChunk, any Error> & Sendable

    public init(_ chunks: some AsyncSequence<ChatCompletionChunk, any Error> & Sendable) {
        self.chunks = chunks
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: any AsyncIteratorProtocol<ChatCompletionChunk, any Error>

        public mutating func next() async throws -> ChatCompletionChunk? {
            try await base.next(isolation: nil)
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async throws -> ChatCompletionChunk? {
            try await base.next(isolation: actor)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: chunks.makeAsyncIterator()) }

    /// How a stream ended, as seen by an observer.
    public enum Ending: Sendable {
        case finished
        case failed(any Error)
        /// The consumer stopped iterating (the client went away).
        case cancelled
    }

    /// This stream with `onChunk` called for each chunk and `onEnd` called exactly once when the
    /// stream finishes, fails, or is abandoned by its consumer.
    public func observed(
        onChunk: @escaping @Sendable (ChatCompletionChunk) -> Void = { _ in },
        onEnd: @escaping @Sendable (Ending) -> Void
    ) -> ChatStream {
        ChatStream(ObservedSequence(base: self, onChunk: onChunk, onEnd: onEnd))
    }
}

extension ChatStream {
    /// A stream of already known chunks.
    public init(_ chunks: [ChatCompletionChunk]) {
        self.init(ChunkList(chunks: chunks))
    }

    private struct ChunkList: AsyncSequence, Sendable {
        let chunks: [ChatCompletionChunk]
        struct AsyncIterator: AsyncIteratorProtocol {
            var iterator: IndexingIterator<[ChatCompletionChunk]>
            mutating func next() async throws -> ChatCompletionChunk? { iterator.next() }
        }
        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(iterator: chunks.makeIterator()) }
    }
}

private struct ObservedSequence: AsyncSequence, Sendable {
    let base: ChatStream
    let onChunk: @Sendable (ChatCompletionChunk) -> Void
    let onEnd: @Sendable (ChatStream.Ending) -> Void

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: ChatStream.AsyncIterator
        let onChunk: @Sendable (ChatCompletionChunk) -> Void
        let ending: EndOnce

        mutating func next() async throws -> ChatCompletionChunk? {
            do {
                guard let chunk = try await base.next() else {
                    ending.fire(.finished)
                    return nil
                }
                onChunk(chunk)
                return chunk
            } catch {
                ending.fire(error is CancellationError ? .cancelled : .failed(error))
                throw error
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), onChunk: onChunk, ending: EndOnce(onEnd))
    }
}

/// Calls its handler once: on the first `fire`, or with `.cancelled` when released unfired.
private final class EndOnce: Sendable {
    private let handler: @Sendable (ChatStream.Ending) -> Void
    private let fired = Atomic<Bool>(false)

    init(_ handler: @escaping @Sendable (ChatStream.Ending) -> Void) { self.handler = handler }

    func fire(_ ending: ChatStream.Ending) {
        guard !fired.exchange(true, ordering: .relaxed) else { return }
        handler(ending)
    }

    deinit { fire(.cancelled) }
}
