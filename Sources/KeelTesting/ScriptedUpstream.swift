import KeelCore
import Synchronization

/// An upstream that answers from a script, one step per call, and remembers what it was sent.
public final class ScriptedUpstream: Upstream {
    /// What one call does.
    public enum Step: Sendable {
        case reply(String, usage: TokenUsage?)
        /// Streams the words, then fails with the error if one is given (a cut stream).
        case stream([String], usage: TokenUsage?, failure: UpstreamError? = nil)
        case fail(UpstreamError)
        case embed(vectors: [[Double]], tokens: Int)
        /// Never answers (until cancelled).
        case hang
        /// Streams the words, then sends nothing more (until cancelled).
        case streamThenHang([String])
    }

    private let script = Mutex<[Step]>([])
    private let sent = Mutex<[JSONObject]>([])
    private let cancelled = Mutex(0)

    private let delay: Duration

    /// - Parameter delay: how long each call takes before its step runs.
    public init(_ steps: [Step], delay: Duration = .zero) {
        self.delay = delay
        script.withLock { $0 = steps }
    }

    /// The request bodies received, in order.
    public var requests: [JSONObject] { sent.withLock { $0 } }

    /// How many hanging calls were cancelled by their caller.
    public var cancellations: Int { cancelled.withLock { $0 } }

    private func hang() async throws {
        do {
            try await Task.sleep(for: .seconds(3600))
        } catch {
            cancelled.withLock { $0 += 1 }
            throw error
        }
    }

    private func nextStep(_ body: JSONObject) async throws -> Step {
        sent.withLock { $0.append(body) }
        if delay > .zero { try await Task.sleep(for: delay) }
        guard let step = script.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else {
            throw UpstreamError(.serverError, "the script has no more steps")
        }
        if case .fail(let error) = step { throw error }
        if case .hang = step { try await hang() }
        return step
    }

    public func complete(_ request: ChatCompletionRequest) async throws -> ChatCompletion {
        guard case .reply(let text, let usage) = try await nextStep(request.json) else {
            throw UpstreamError(.badResponse, "script expected a reply")
        }
        let model = request.json["model"]?.stringValue ?? ""
        return ChatCompletion(id: "chatcmpl-scripted", created: 1, model: model, contents: [text], finishReason: "stop", usage: usage)
    }

    public func stream(_ request: ChatCompletionRequest) async throws -> ChatStream {
        let step = try await nextStep(request.json)
        let model = request.json["model"]?.stringValue ?? ""
        if case .streamThenHang(let words) = step {
            let chunks = words.map {
                ChatCompletionChunk(id: "chatcmpl-scripted", created: 1, model: model, delta: JSONObject([("content", .string($0))]))
            }
            return ChatStream(FailingAfter(chunks: chunks, failure: nil, hang: { [self] in try await hang() }))
        }
        guard case .stream(let words, let usage, let failure) = step else {
            throw UpstreamError(.badResponse, "script expected a stream")
        }
        var chunks = words.map {
            ChatCompletionChunk(id: "chatcmpl-scripted", created: 1, model: model, delta: JSONObject([("content", .string($0))]))
        }
        if failure == nil {
            chunks.append(ChatCompletionChunk(id: "chatcmpl-scripted", created: 1, model: model, delta: JSONObject(), finishReason: "stop"))
            if let usage { chunks.append(ChatCompletionChunk(id: "chatcmpl-scripted", created: 1, model: model, usage: usage)) }
        }
        return ChatStream(FailingAfter(chunks: chunks, failure: failure, hang: nil))
    }

    public func embed(_ request: EmbeddingsRequest) async throws -> EmbeddingsResponse {
        guard case .embed(let vectors, let tokens) = try await nextStep(request.json) else {
            throw UpstreamError(.badResponse, "script expected embeddings")
        }
        return EmbeddingsResponse(model: request.json["model"]?.stringValue ?? "", vectors: vectors, inputTokens: tokens)
    }
}

/// Yields its chunks, then throws `failure` if there is one, or hangs if told to.
private struct FailingAfter: AsyncSequence, Sendable {
    let chunks: [ChatCompletionChunk]
    let failure: UpstreamError?
    let hang: (@Sendable () async throws -> Void)?

    struct AsyncIterator: AsyncIteratorProtocol {
        var remaining: [ChatCompletionChunk]
        let failure: UpstreamError?
        let hang: (@Sendable () async throws -> Void)?

        mutating func next() async throws -> ChatCompletionChunk? {
            if !remaining.isEmpty { return remaining.removeFirst() }
            if let failure { throw failure }
            try await hang?()
            return nil
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(remaining: chunks, failure: failure, hang: hang) }
}
