/// Refuses requests without an active key allowed to call models; records whose key it was. The
/// HTTP edge may have checked the credential already (``GatewayRequest/caller``); it is then only
/// held to the permission, so that every refusal still goes through the pipeline and into the log.
public struct AuthenticateStage: PipelineStage {
    private let authenticator: KeyAuthenticator

    public init(authenticator: KeyAuthenticator) { self.authenticator = authenticator }

    public func handle(
        _ request: GatewayRequest,
        exchange: Exchange,
        next: (GatewayRequest) async throws -> GatewayResponse
    ) async throws -> GatewayResponse {
        var request = request
        let key: APIKey
        if let caller = request.caller {
            key = caller
        } else {
            key = try await authenticator.authenticate(request.credential)
        }
        exchange.setCaller(key)
        try KeyAuthenticator.require(.callModels, of: key)
        request.caller = key
        return try await next(request)
    }
}
