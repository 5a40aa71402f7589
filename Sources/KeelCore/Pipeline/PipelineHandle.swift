import Synchronization

/// The pipeline, for a stage that sends a request of its own through it (a second opinion): set
/// once the pipeline holding the stage is built.
public final class PipelineHandle: Sendable {
    private let pipeline = Mutex<Pipeline?>(nil)

    public init() {}

    /// Makes `pipeline` the one requests go through.
    public func attach(_ pipeline: Pipeline) { self.pipeline.withLock { $0 = pipeline } }

    /// Runs `request` through the pipeline, from its first stage.
    public func handle(_ request: GatewayRequest) async -> (Exchange, Result<GatewayResponse, any Error>) {
        guard let pipeline = pipeline.withLock({ $0 }) else {
            return (Exchange(operation: request.operation, clock: .system), .failure(KeelError(.internalError, "The pipeline is not attached.")))
        }
        return await pipeline.handle(request)
    }
}
