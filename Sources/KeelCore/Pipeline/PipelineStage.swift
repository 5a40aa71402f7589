/// One step of the request path. A stage sees the request on its way in and the response on its
/// way out: it may change the request, answer without calling `next`, or watch the response.
public protocol PipelineStage: Sendable {
    func handle(
        _ request: GatewayRequest,
        exchange: Exchange,
        next: (GatewayRequest) async throws -> GatewayResponse
    ) async throws -> GatewayResponse
}
