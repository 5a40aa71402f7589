/// Refuses requests without a valid key; records whose key it was.
public struct AuthenticateStage: PipelineStage {
    private let authenticator: KeyAuthenticator

    public init(authenticator: KeyAuthenticator) { self.authenticator = authenticator }

    public func handle(
        _ request: GatewayRequest,
        exchange: Exchange,
        next: (GatewayRequest) async throws -> GatewayResponse
    ) async throws -> GatewayResponse {
        var request = request
        let key = try await authenticator.authenticate(request.credential, requiring: .app)
        exchange.setCaller(key)
        request.caller = key
        return try await next(request)
    }
}
