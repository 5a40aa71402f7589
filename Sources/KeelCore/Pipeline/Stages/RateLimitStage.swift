/// Refuses a request over its key's requests or tokens per minute with 429 `rate_limit_exceeded`
/// and `Retry-After`, before anything is spent upstream. Tokens are the prompt plus the output it
/// asks for, as OpenAI counts them against its own limits.
public struct RateLimitStage: PipelineStage {
    private let limits: RateLimits

    public init(limits: RateLimits) { self.limits = limits }

    public func handle(
        _ request: GatewayRequest,
        exchange: Exchange,
        next: (GatewayRequest) async throws -> GatewayResponse
    ) async throws -> GatewayResponse {
        guard let caller = request.caller else { return try await next(request) }
        var tokens = request.promptTokens ?? 0
        if case .chat(let chat) = request.payload { tokens = tokens.saturatingAdd(chat.maxOutputTokens ?? 0) }
        try limits.admit(caller, tokens: tokens)
        return try await next(request)
    }
}
