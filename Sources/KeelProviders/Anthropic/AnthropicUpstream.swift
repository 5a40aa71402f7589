import Foundation
import KeelCore

/// Anthropic's Messages API behind the OpenAI Chat Completions interface.
public struct AnthropicUpstream: Upstream {
    static let apiVersion = "2023-06-01"

    private let apiKey: String?
    private let transport: UpstreamTransport
    private let clock: KeelClock

    public init(endpoint: HTTPEndpoint, clock: KeelClock = .system) {
        self.apiKey = endpoint.apiKey
        self.transport = UpstreamTransport(endpoint: endpoint)
        self.clock = clock
    }

    private var headers: [(String, String)] {
        [("anthropic-version", Self.apiVersion)] + (apiKey.map { [("x-api-key", $0)] } ?? [])
    }

    private var created: Int { Int(clock.now().timeIntervalSince1970) }

    public func complete(_ request: ChatCompletionRequest) async throws -> ChatCompletion {
        let body = AnthropicTranslation.messagesRequest(from: request)
        let json = try await transport.postJSON("messages", headers: headers, body: body)
        return try AnthropicTranslation.completion(from: json, created: created)
    }

    public func stream(_ request: ChatCompletionRequest) async throws -> ChatStream {
        let body = AnthropicTranslation.messagesRequest(from: request)
        let response = try await transport.post("messages", headers: headers, body: body)
        return ChatStream(AnthropicChunkSequence(events: transport.events(of: response), created: created))
    }

    public func embed(_ request: EmbeddingsRequest) async throws -> EmbeddingsResponse {
        throw UpstreamError(.rejected, "Anthropic offers no embeddings API; route embeddings to another provider.")
    }
}

/// The chunks of an Anthropic stream; an end before `message_stop` is an interruption.
struct AnthropicChunkSequence: AsyncSequence, Sendable {
    let events: ServerSentEventSequence
    let created: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        var events: ServerSentEventSequence.AsyncIterator
        var translator: AnthropicStreamTranslator
        var pending: [ChatCompletionChunk] = []

        mutating func next() async throws -> ChatCompletionChunk? {
            while pending.isEmpty {
                if translator.finished { return nil }
                guard let event = try await events.next() else {
                    throw UpstreamError(.streamInterrupted, "the stream ended before message_stop")
                }
                pending = try translator.translate(event)
            }
            return pending.removeFirst()
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(events: events.makeAsyncIterator(), translator: AnthropicStreamTranslator(created: created))
    }
}
