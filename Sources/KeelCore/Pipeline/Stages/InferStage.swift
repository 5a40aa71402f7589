/// Last stage: calls the route's upstream and records the attempt on the ledger.
public struct InferStage: PipelineStage {
    private let upstreams: [String: any Upstream]

    /// - Parameter upstreams: the configured providers by name.
    public init(upstreams: [String: any Upstream]) { self.upstreams = upstreams }

    public func handle(
        _ request: GatewayRequest,
        exchange: Exchange,
        next: (GatewayRequest) async throws -> GatewayResponse
    ) async throws -> GatewayResponse {
        let deployment = try request.requireRoute().primary
        guard let upstream = upstreams[deployment.provider] else {
            throw KeelError(.internalError, "No provider named '\(deployment.provider)' is configured.")
        }
        let started = exchange.startAttempt(to: deployment)
        do {
            switch request.payload {
            case .unread:
                throw KeelError(.internalError, "The pipeline reached inference with an unread body.")
            case .chat(let chat) where chat.stream:
                let stream = try await upstream.stream(chat.forUpstream(model: deployment.upstreamModel))
                let observed = stream.observed { ending in
                    switch ending {
                    case .finished, .cancelled: exchange.finishAttempt(to: deployment, started: started, failure: nil)
                    case .failed(let error):
                        exchange.finishAttempt(to: deployment, started: started, failure: Self.upstreamFailure(error))
                    }
                }
                return .stream(observed, includeUsage: chat.includeUsage)
            case .chat(let chat):
                let completion = try await upstream.complete(chat.forUpstream(model: deployment.upstreamModel))
                exchange.finishAttempt(to: deployment, started: started, failure: nil)
                return .completion(completion)
            case .embeddings(let embeddings):
                let response = try await upstream.embed(embeddings.forUpstream(model: deployment.upstreamModel))
                exchange.finishAttempt(to: deployment, started: started, failure: nil)
                return .embeddings(response)
            }
        } catch let error as UpstreamError {
            exchange.finishAttempt(to: deployment, started: started, failure: error)
            throw error
        }
    }

    private static func upstreamFailure(_ error: any Error) -> UpstreamError {
        error as? UpstreamError ?? UpstreamError(.streamInterrupted, "the stream failed: \(error)")
    }
}
