/// A stream of named events translated from a chat stream. An upstream failure mid-way becomes the
/// API's own failure events, so the sequence itself only ends early when its reader goes away.
public struct EventStream: AsyncSequence, Sendable {
    public typealias Element = NamedEvent
    public typealias Failure = any Error

    private let events: any AsyncSequence<NamedEvent, any Error> & Sendable

    public init(_ events: some AsyncSequence<NamedEvent, any Error> & Sendable) { self.events = events }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: any AsyncIteratorProtocol<NamedEvent, any Error>

        public mutating func next() async throws -> NamedEvent? { try await base.next(isolation: nil) }

        public mutating func next(isolation actor: isolated (any Actor)?) async throws -> NamedEvent? {
            try await base.next(isolation: actor)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: events.makeAsyncIterator()) }
}

extension EventStream {
    /// `stream` translated by `translator`: its opening events, each chunk's, then its closing
    /// events — the failure events when the chat stream fails (a cancellation is passed on).
    public init(translating stream: ChatStream, with translator: some ChunkTranslator) {
        self.init(TranslatedEvents(stream: stream, translator: translator))
    }
}

private struct TranslatedEvents<Translator: ChunkTranslator>: AsyncSequence, Sendable {
    let stream: ChatStream
    let translator: Translator

    struct AsyncIterator: AsyncIteratorProtocol {
        var chunks: ChatStream.AsyncIterator
        var translator: Translator
        var pending: [NamedEvent] = []
        var started = false
        var ended = false

        mutating func next() async throws -> NamedEvent? {
            while pending.isEmpty {
                guard !ended else { return nil }
                if !started {
                    started = true
                    pending = translator.start()
                    continue
                }
                do {
                    if let chunk = try await chunks.next() {
                        pending = translator.translate(chunk)
                    } else {
                        ended = true
                        pending = translator.finish()
                    }
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    ended = true
                    pending = translator.fail(KeelError(presenting: error))
                }
            }
            return pending.removeFirst()
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(chunks: stream.makeAsyncIterator(), translator: translator) }
}
