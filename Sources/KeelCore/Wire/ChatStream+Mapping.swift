extension ChatStream {
    /// This stream with each chunk passed through `transform`, which carries `state` from one
    /// chunk to the next (each iteration starts from `state`).
    public func mapped<State: Sendable>(
        _ state: State,
        _ transform: @escaping @Sendable (inout State, ChatCompletionChunk) -> ChatCompletionChunk
    ) -> ChatStream {
        ChatStream(MappedSequence(base: self, state: state, transform: transform))
    }
}

private struct MappedSequence<State: Sendable>: AsyncSequence, Sendable {
    let base: ChatStream
    let state: State
    let transform: @Sendable (inout State, ChatCompletionChunk) -> ChatCompletionChunk

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: ChatStream.AsyncIterator
        var state: State
        let transform: @Sendable (inout State, ChatCompletionChunk) -> ChatCompletionChunk

        mutating func next() async throws -> ChatCompletionChunk? {
            guard let chunk = try await base.next() else { return nil }
            return transform(&state, chunk)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), state: state, transform: transform) }
}
