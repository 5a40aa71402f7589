import Foundation
import KeelCore

/// Any OpenAI-compatible API: OpenAI itself, vLLM, Ollama, llama.cpp's server.
public struct OpenAIUpstream: Upstream {
    private let apiKey: String?
    private let transport: UpstreamTransport
    private let clock: KeelClock

    public init(endpoint: HTTPEndpoint, clock: KeelClock = .system) {
        self.apiKey = endpoint.apiKey
        self.transport = UpstreamTransport(endpoint: endpoint)
        self.clock = clock
    }

    private var headers: [(String, String)] { apiKey.map { [("authorization", "Bearer \($0)")] } ?? [] }

    public func complete(_ request: ChatCompletionRequest) async throws -> ChatCompletion {
        let json = try await transport.postJSON("chat/completions", headers: headers, body: .object(request.json))
        return try ChatCompletion(normalizing: json, fallbackID: RandomID.make(prefix: "chatcmpl-"), created: Int(clock.now().timeIntervalSince1970))
    }

    public func stream(_ request: ChatCompletionRequest) async throws -> ChatStream {
        let response = try await transport.post("chat/completions", headers: headers, body: .object(request.json))
        return ChatStream(OpenAIChunkSequence(events: transport.events(of: response)))
    }

    public func embed(_ request: EmbeddingsRequest) async throws -> EmbeddingsResponse {
        let json = try await transport.postJSON("embeddings", headers: headers, body: .object(request.json))
        return try EmbeddingsResponse(normalizing: json)
    }
}

/// The chunks of an OpenAI stream: `data:` events until `[DONE]`; an end without `[DONE]` is an
/// interruption, never a clean finish.
struct OpenAIChunkSequence: AsyncSequence, Sendable {
    let events: ServerSentEventSequence

    struct AsyncIterator: AsyncIteratorProtocol {
        var events: ServerSentEventSequence.AsyncIterator
        var done = false

        mutating func next() async throws -> ChatCompletionChunk? {
            guard !done else { return nil }
            while let event = try await events.next() {
                if event.data == "[DONE]" {
                    done = true
                    return nil
                }
                let json: JSONValue
                do {
                    json = try JSONParser.parse(event.data)
                } catch {
                    throw UpstreamError(.badResponse, "a stream event is not JSON: \(error)")
                }
                if let error = json.objectValue?["error"]?.objectValue {
                    throw UpstreamError(.serverError, error["message"]?.stringValue ?? "the upstream reported an error mid-stream")
                }
                return try ChatCompletionChunk(normalizing: json)
            }
            throw UpstreamError(.streamInterrupted, "the stream ended without [DONE]")
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(events: events.makeAsyncIterator()) }
}
