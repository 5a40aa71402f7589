extension ChatStream {
    /// This stream, failing with a timeout if it has not ended when `limit` has passed: a stream
    /// runs inside its request's latency budget like any other answer. The chunks are read by a task
    /// of their own, so that a silent upstream cannot hold the reader past the limit; the reader
    /// going away cancels that task and with it the upstream call.
    public func ending(within limit: Duration) -> ChatStream {
        let (chunks, continuation) = AsyncThrowingStream<ChatCompletionChunk, any Error>.makeStream()
        let reader = Task {
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for try await chunk in self { continuation.yield(chunk) }
                    }
                    group.addTask {
                        try await CancellableSleep.sleep(for: limit)
                        throw UpstreamError(.timeout, "the latency budget ran out during the stream")
                    }
                    try await group.next()
                    group.cancelAll()
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in reader.cancel() }
        return ChatStream(chunks)
    }
}
