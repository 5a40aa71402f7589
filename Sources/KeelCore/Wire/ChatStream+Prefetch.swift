import Synchronization

extension ChatStream {
    /// Waits for the first chunk, so that failures before it are thrown here (where they can still
    /// fall back), and returns a stream that yields that chunk and then the rest.
    public func prefetchingFirstChunk() async throws -> ChatStream {
        var iterator = makeAsyncIterator()
        guard let first = try await iterator.next() else { return ChatStream([ChatCompletionChunk]()) }
        return ChatStream(PrefetchedChunks(first: first, rest: RemainingChunks(iterator)))
    }
}

private struct PrefetchedChunks: AsyncSequence, Sendable {
    let first: ChatCompletionChunk
    let rest: RemainingChunks

    struct AsyncIterator: AsyncIteratorProtocol {
        var first: ChatCompletionChunk?
        let rest: RemainingChunks?

        mutating func next() async throws -> ChatCompletionChunk? {
            if let chunk = first {
                first = nil
                return chunk
            }
            return try await rest?.next()
        }
    }

    /// Only the first iterator made gets the chunks; a stream is read once.
    func makeAsyncIterator() -> AsyncIterator {
        let owner = rest.claim()
        return AsyncIterator(first: owner == nil ? nil : first, rest: owner)
    }
}

/// The rest of a stream whose first chunk has been read.
///
/// `@unchecked Sendable` because it holds a live iterator: it is created by the task that read the
/// first chunk, which never touches it again, and `claim()` hands it, by an atomic exchange, to
/// exactly one consumer, which calls `next()` one call at a time as iterators are used. No two
/// threads ever reach `iterator` at once.
private final class RemainingChunks: @unchecked Sendable {
    private var iterator: ChatStream.AsyncIterator
    private let claimed = Atomic<Bool>(false)

    init(_ iterator: ChatStream.AsyncIterator) { self.iterator = iterator }

    /// This object for its one consumer, or `nil` for any later caller.
    func claim() -> RemainingChunks? { claimed.exchange(true, ordering: .acquiringAndReleasing) ? nil : self }

    func next() async throws -> ChatCompletionChunk? { try await iterator.next() }
}
