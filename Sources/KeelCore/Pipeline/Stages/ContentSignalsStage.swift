import Synchronization

/// Notes on the exchange what drift monitors read from the content (``ContentSignals``), on routes
/// whose monitor watches it: the input's script once the prompt is rendered, and the answer's
/// refusal and JSON validity once it is known — for a stream, from its text gathered on the way
/// (up to ``streamedTextLimit``). Other requests pass through untouched.
public struct ContentSignalsStage: PipelineStage {
    /// How much of a streamed answer is kept to read it: a longer one is judged by its beginning.
    public static let streamedTextLimit = 64 << 10

    public init() {}

    public func handle(
        _ request: GatewayRequest,
        exchange: Exchange,
        next: (GatewayRequest) async throws -> GatewayResponse
    ) async throws -> GatewayResponse {
        guard case .chat(let chat) = request.payload, request.route?.drift?.readsContent == true else { return try await next(request) }
        let response: GatewayResponse
        do {
            response = try await next(request)
        } catch {
            exchange.setSignals(ContentSignals(request: chat, answer: nil))
            throw error
        }
        switch response {
        case .completion(let completion):
            let message = completion.message
            let answer = ContentSignals.Answer(
                text: completion.content ?? "",
                refusal: message?["refusal"]?.stringValue != nil,
                finishReason: completion.finishReasons.first
            )
            exchange.setSignals(ContentSignals(request: chat, answer: answer))
            return response
        case .embeddings, .held:
            return response
        case .stream(let stream, let includeUsage):
            let gathered = Mutex(ContentSignals.Answer(text: ""))
            let observed = stream.observed(
                onChunk: { chunk in
                    gathered.withLock { answer in
                        if let text = chunk.contentDelta, answer.text.utf8.count < Self.streamedTextLimit { answer.text += text }
                        if chunk.refusalDelta != nil { answer.refusal = true }
                        if let reason = chunk.finishReason { answer.finishReason = reason }
                    }
                },
                onEnd: { ending in
                    let answer = gathered.withLock { $0 }
                    guard case .finished = ending else { return exchange.setSignals(ContentSignals(request: chat, answer: nil)) }
                    exchange.setSignals(ContentSignals(request: chat, answer: answer))
                }
            )
            return .stream(observed, includeUsage: includeUsage)
        }
    }
}
