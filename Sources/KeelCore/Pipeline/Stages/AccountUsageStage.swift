/// Turns the upstream's reported usage into tokens and cost on the ledger, priced by the
/// deployment that answered.
public struct AccountUsageStage: PipelineStage {
    public init() {}

    public func handle(
        _ request: GatewayRequest,
        exchange: Exchange,
        next: (GatewayRequest) async throws -> GatewayResponse
    ) async throws -> GatewayResponse {
        let response = try await next(request)
        switch response {
        case .completion(let completion):
            account(completion.usage, in: exchange)
        case .embeddings(let embeddings):
            account(embeddings.usage, in: exchange)
        case .stream(let stream, let includeUsage):
            let observed = stream.observed(
                onChunk: { chunk in if let usage = chunk.usage { account(usage, in: exchange) } },
                onEnd: { _ in }
            )
            return .stream(observed, includeUsage: includeUsage)
        }
        return response
    }

    private func account(_ usage: TokenUsage?, in exchange: Exchange) {
        guard let usage, let deployment = exchange.deployment else { return }
        exchange.setUsage(usage, cost: deployment.price.cost(of: usage))
    }
}
