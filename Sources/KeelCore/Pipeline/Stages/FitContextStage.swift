/// Counts a chat request's input before any call and drops the route's targets whose context
/// window cannot hold it with the requested output, so that the request goes to one with a larger
/// window. When no target can hold it the request is refused with `context_length_exceeded`,
/// before anything is spent upstream.
public struct FitContextStage: PipelineStage {
    private let counter: any TokenCounter

    public init(counter: any TokenCounter = EstimatingTokenCounter()) { self.counter = counter }

    public func handle(
        _ request: GatewayRequest,
        exchange: Exchange,
        next: (GatewayRequest) async throws -> GatewayResponse
    ) async throws -> GatewayResponse {
        guard case .chat(let chat) = request.payload else { return try await next(request) }
        let route = try request.requireRoute()
        var counts: [String: Int] = [:]
        for deployment in route.targets where counts[deployment.name] == nil {
            counts[deployment.name] = counter.inputTokens(of: chat, for: deployment)
        }
        exchange.setPromptTokens(counts[route.targets[0].name] ?? 0)
        let reserved = chat.maxOutputTokens ?? 0
        let fitting = route.keeping { deployment in
            guard let window = deployment.contextWindow, let input = counts[deployment.name] else { return true }
            return input + reserved <= window
        }
        guard let fitting else {
            let largest = route.targets.compactMap(\.contextWindow).max() ?? 0
            let input = counts.values.min() ?? 0
            throw KeelError(
                .contextLengthExceeded,
                "This model's maximum context length is \(largest) tokens. However, you requested about \(input + reserved) tokens "
                    + "(\(input) in the messages, \(reserved) in the completion). Please reduce the length of the messages or completion.",
                param: "messages"
            )
        }
        var narrowed = request
        narrowed.route = fitting
        narrowed.promptTokens = counts[fitting.targets[0].name]
        return try await next(narrowed)
    }
}
