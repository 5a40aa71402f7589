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
        // Counted only where needed: targets with a window, and the one that will answer first.
        var counts: [String: Int] = [:]
        func count(_ deployment: ModelDeployment) -> Int {
            if let known = counts[deployment.name] { return known }
            let counted = counter.inputTokens(of: chat, for: deployment)
            counts[deployment.name] = counted
            return counted
        }
        let reserved = chat.maxOutputTokens ?? 0
        let fitting = route.keeping { deployment in
            guard let window = deployment.contextWindow else { return true }
            return count(deployment).saturatingAdd(reserved) <= window
        }
        guard let fitting else {
            let largest = route.targets.compactMap(\.contextWindow).max() ?? 0
            let input = counts.values.min() ?? 0
            exchange.setPromptTokens(input)
            throw KeelError(
                .contextLengthExceeded,
                "This model's maximum context length is \(largest) tokens. However, you requested about \(input.saturatingAdd(reserved)) tokens "
                    + "(\(input) in the messages, \(reserved) in the completion). Please reduce the length of the messages or completion.",
                param: "messages"
            )
        }
        let prompt = count(fitting.targets[0])
        exchange.setPromptTokens(prompt)
        var narrowed = request
        narrowed.route = fitting
        narrowed.promptTokens = prompt
        return try await next(narrowed)
    }
}
