/// Renders the registered prompt a request names (or its route's default prompt) and puts its
/// messages before the caller's, with the prompt's parameters where the caller set none; records
/// the prompt and version on the exchange. Requests without a prompt pass through untouched.
public struct PromptStage: PipelineStage {
    private let catalog: PromptCatalog

    public init(catalog: PromptCatalog) {
        self.catalog = catalog
    }

    public func handle(
        _ request: GatewayRequest,
        exchange: Exchange,
        next: (GatewayRequest) async throws -> GatewayResponse
    ) async throws -> GatewayResponse {
        guard case .chat(let chat) = request.payload else { return try await next(request) }
        let route = try request.requireRoute()
        guard let reference = chat.prompt?.reference ?? route.prompt else {
            if chat.prompt != nil {
                throw KeelError(
                    .invalidValue,
                    "The route '\(route.name)' has no default prompt to take 'variables'; name one in 'prompt'.",
                    param: "variables"
                )
            }
            return try await next(request)
        }
        let entry = try await catalog.resolve(reference, team: request.caller?.team)
        let rendered = try entry.renderer.render(chat.prompt?.variables ?? JSONObject())
        var request = request
        request.payload = .chat(try chat.applying(rendered, of: entry.version.template, named: reference.name))
        exchange.setPrompt(name: entry.version.prompt.name, version: entry.version.number)
        return try await next(request)
    }
}
