/// Chooses the route for the model the client named.
public struct RouteStage: PipelineStage {
    private let routes: RouteTable

    public init(routes: RouteTable) { self.routes = routes }

    public func handle(
        _ request: GatewayRequest,
        exchange: Exchange,
        next: (GatewayRequest) async throws -> GatewayResponse
    ) async throws -> GatewayResponse {
        guard let model = request.requestedModel else { return try await next(request) }
        let route = try routes.resolve(model)
        let expected: ModelDeployment.Kind = request.operation == .embeddings ? .embedding : .chat
        guard route.kind == expected else {
            let operation = request.operation == .embeddings ? "embeddings" : "chat completions"
            throw KeelError(.unsupportedOperation, "The model '\(model)' does not support \(operation).", param: "model")
        }
        exchange.setRoute(route)
        var request = request
        request.route = route
        return try await next(request)
    }
}
