import Foundation
import Synchronization

/// A route's last resort: when every target has failed, the cached answer to an identical request,
/// or else the route's static answer. Either is marked on the ledger, so the client gets
/// `x-keel-degraded` and the log and metrics count it. A refusal of the request itself (a 400 from
/// the upstream) is the client's to fix and is never papered over.
public struct DegradeStage: PipelineStage {
    private let cache: ResponseCache
    private let clock: KeelClock

    public init(cache: ResponseCache, clock: KeelClock = .system) {
        self.cache = cache
        self.clock = clock
    }

    public func handle(
        _ request: GatewayRequest,
        exchange: Exchange,
        next: (GatewayRequest) async throws -> GatewayResponse
    ) async throws -> GatewayResponse {
        let route = try request.requireRoute()
        let policy = route.policy.degradation
        guard policy.isEnabled, case .chat(let chat) = request.payload else { return try await next(request) }
        let key = policy.cacheTTL.map { _ in ResponseCache.key(for: chat, route: route.name) }
        do {
            let response = try await next(request)
            guard let key, let ttl = policy.cacheTTL else { return response }
            return remembering(response, key: key, ttl: ttl)
        } catch let failure as UpstreamError where failure.kind != .rejected {
            let cause = failure.clientError
            if let key, let cached = cache.answer(for: key) {
                exchange.setDegraded(Degradation(mode: .cache, cause: cause))
                return answer(cached, to: chat)
            }
            if let text = policy.staticAnswer {
                exchange.setDegraded(Degradation(mode: .static, cause: cause))
                let completion = ChatCompletion(
                    id: RandomID.make(prefix: "chatcmpl-keel-"),
                    created: Int(clock.now().timeIntervalSince1970),
                    model: route.name,
                    contents: Array(repeating: text, count: chat.choiceCount),
                    finishReason: "stop",
                    usage: TokenUsage(inputTokens: 0, outputTokens: 0)
                )
                return answer(completion, to: chat)
            }
            throw failure
        }
    }

    private func answer(_ completion: ChatCompletion, to chat: ChatCompletionRequest) -> GatewayResponse {
        chat.stream ? .stream(ChatStream(replaying: completion), includeUsage: chat.includeUsage) : .completion(completion)
    }

    /// The response, with its answer kept for `ttl` once complete (a stream's when it has finished).
    private func remembering(_ response: GatewayResponse, key: String, ttl: Duration) -> GatewayResponse {
        switch response {
        case .completion(let completion):
            cache.store(completion, for: key, ttl: ttl)
            return response
        case .stream(let stream, let includeUsage):
            let transcript = SharedTranscript()
            let observed = stream.observed(
                onChunk: { chunk in transcript.state.withLock { $0.add(chunk) } },
                onEnd: { ending in
                    guard case .finished = ending, let completion = transcript.state.withLock({ $0.completion }) else { return }
                    cache.store(completion, for: key, ttl: ttl)
                }
            )
            return .stream(observed, includeUsage: includeUsage)
        case .embeddings, .held:
            return response
        }
    }
}

private final class SharedTranscript: Sendable {
    let state = Mutex(StreamTranscript())
}
