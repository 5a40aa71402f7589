import Synchronization

/// Turns the usage of the call that answered into tokens and cost on the ledger, priced by the
/// deployment that answered. When the upstream reports no usage (some servers never do, a cut
/// stream may not), Keel counts the input and the generated text itself and flags the cost as
/// estimated: exact where Keel knows the model's encoding, approximate otherwise.
public struct AccountUsageStage: PipelineStage {
    private let counter: any TokenCounter

    public init(counter: any TokenCounter = EstimatingTokenCounter()) { self.counter = counter }

    public func handle(
        _ request: GatewayRequest,
        exchange: Exchange,
        next: (GatewayRequest) async throws -> GatewayResponse
    ) async throws -> GatewayResponse {
        let response = try await next(request)
        switch response {
        case .completion(let completion):
            account(completion.usage, orEstimate: { estimate(request, generated: completion.generatedText, exchange: exchange) }, in: exchange)
        case .embeddings(let embeddings):
            account(embeddings.usage, orEstimate: { estimate(request, generated: "", exchange: exchange) }, in: exchange)
        case .stream(let stream, let includeUsage):
            let generated = Mutex("")
            let observed = stream.observed(
                onChunk: { chunk in
                    if let usage = chunk.usage {
                        account(usage, orEstimate: { nil }, in: exchange)
                    } else {
                        let text = chunk.generatedText
                        if !text.isEmpty { generated.withLock { $0 += text } }
                    }
                },
                onEnd: { _ in
                    // Whatever reached the client was generated, and billed, even if the stream was cut.
                    guard !exchange.hasUsage, exchange.deployment != nil else { return }
                    account(nil, orEstimate: { estimate(request, generated: generated.withLock { $0 }, exchange: exchange) }, in: exchange)
                }
            )
            return .stream(observed, includeUsage: includeUsage)
        case .held:
            break
        }
        return response
    }

    /// Puts the reported usage on the ledger, or Keel's own count when there is none.
    private func account(_ reported: TokenUsage?, orEstimate estimate: () -> TokenUsage?, in exchange: Exchange) {
        guard let deployment = exchange.deployment, let usage = reported ?? estimate() else { return }
        exchange.setUsage(usage, cost: deployment.price.cost(of: usage), estimated: reported == nil)
    }

    /// The usage Keel counts itself, for the deployment that answered.
    private func estimate(_ request: GatewayRequest, generated: String, exchange: Exchange) -> TokenUsage? {
        guard let deployment = exchange.deployment else { return nil }
        let input: Int
        switch request.payload {
        case .chat(let chat): input = counter.inputTokens(of: chat, for: deployment)
        case .embeddings(let embeddings): input = embeddings.inputs.reduce(0) { $0 + counter.tokens(in: $1, for: deployment) }
        case .unread: return nil
        }
        return TokenUsage(inputTokens: input, outputTokens: counter.tokens(in: generated, for: deployment))
    }
}
