/// Turns a chat stream into an API's events, one chunk at a time: what a translator of a streamed
/// dialect implements.
public protocol ChunkTranslator: Sendable {
    /// The events that open the stream, before any chunk.
    mutating func start() -> [NamedEvent]
    /// The events one chunk adds (often none).
    mutating func translate(_ chunk: ChatCompletionChunk) -> [NamedEvent]
    /// The events that close a stream that finished.
    mutating func finish() -> [NamedEvent]
    /// The events that close a stream that failed after it began.
    mutating func fail(_ error: KeelError) -> [NamedEvent]
}
