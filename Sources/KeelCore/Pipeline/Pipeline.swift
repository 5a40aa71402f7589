/// The request path: an ordered list of stages, the last of which answers.
///
/// Adding a stage is writing one type that conforms to ``PipelineStage`` and adding one line
/// where the pipeline is assembled (`KeelApp.makePipeline`).
public struct Pipeline: Sendable {
    public let stages: [any PipelineStage]
    private let clock: KeelClock

    public init(stages: [any PipelineStage], clock: KeelClock = .system) {
        self.stages = stages
        self.clock = clock
    }

    /// Runs `request` through every stage; the returned exchange carries the request id.
    public func handle(_ request: GatewayRequest) async -> (Exchange, Result<GatewayResponse, any Error>) {
        let exchange = Exchange(operation: request.operation, api: request.api, clock: clock)
        do {
            return (exchange, .success(try await run(request, exchange: exchange, from: 0)))
        } catch {
            return (exchange, .failure(error))
        }
    }

    private func run(_ request: GatewayRequest, exchange: Exchange, from index: Int) async throws -> GatewayResponse {
        guard index < stages.count else {
            throw KeelError(.internalError, "No stage answered the request.")
        }
        return try await stages[index].handle(request, exchange: exchange) { request in
            try await run(request, exchange: exchange, from: index + 1)
        }
    }
}
