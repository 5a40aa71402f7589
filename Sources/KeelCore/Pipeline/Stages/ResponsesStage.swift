import Foundation

/// The Responses API's server-side state. A stored response (`store`, the default) is a turn of a
/// conversation — a workflow of the caller's key — and `previous_response_id` continues it from its
/// latest response: the client sends only what is new, and the workflow brings the context. The
/// response is kept before its client has it (a stream's before `response.completed`), so that it
/// can be fetched or continued at once.
public struct ResponsesStage: PipelineStage {
    private let store: any ResponseStore

    public init(store: any ResponseStore) { self.store = store }

    public func handle(
        _ request: GatewayRequest,
        exchange: Exchange,
        next: (GatewayRequest) async throws -> GatewayResponse
    ) async throws -> GatewayResponse {
        guard case .responses(let responses)? = exchange.dialect, responses.store || responses.previousResponseID != nil else {
            return try await next(request)
        }
        guard let caller = request.caller else { throw KeelError(.internalError, "A response reached its stage unauthenticated.") }
        let conversation = try await self.conversation(of: responses, request: request, exchange: exchange, keyID: caller.id)
        var continued = request
        continued.workflowID = conversation
        let object = ResponseObject(
            id: ResponseObject.id(ofRequest: exchange.id),
            createdAt: Int(exchange.startedAt.timeIntervalSince1970),
            request: responses,
            conversation: conversation
        )
        // Kept as the route's PII policy lets Keel store it: the answer, and what the object echoes
        // of the request (its instructions, metadata, user).
        let save: @Sendable (JSONObject) async throws -> Void = { [store] json in
            let saved = SavedResponse(
                id: object.id,
                keyID: caller.id,
                team: caller.team,
                conversation: conversation,
                requestID: exchange.id,
                createdAt: exchange.startedAt,
                object: exchange.storable(json)
            )
            try await uncancellable { try await store.save(saved) }
        }
        let response = try await next(continued)
        switch response {
        case .completion(let completion):
            try await save(object.json(for: completion))
            return response
        case .stream(let stream, let includeUsage):
            let kept = stream.finishing { ending, completion in
                switch ending {
                case .finished:
                    guard let completion else { return }
                    try? await save(object.json(for: completion))
                case .failed(let error):
                    try? await save(object.json(status: .failed, model: responses.chat.model, error: KeelError(presenting: error)))
                case .cancelled:
                    return
                }
            }
            return .stream(kept, includeUsage: includeUsage)
        case .embeddings, .held:
            return response
        }
    }

    /// The conversation the response is a turn of: the previous response's, which must be its
    /// latest, or a new one (the request's workflow, when it names one).
    private func conversation(of responses: ResponsesRequest, request: GatewayRequest, exchange: Exchange, keyID: String) async throws -> String {
        guard let previous = responses.previousResponseID else {
            return request.workflowID ?? "conv_" + exchange.id.dropFirst("req_".count)
        }
        guard responses.store else {
            throw KeelError(
                .invalidValue,
                "A response with 'store': false cannot continue a conversation: Keel keeps every turn of one. Leave 'store' at true.",
                param: "store"
            )
        }
        guard let saved = try await store.response(previous, keyID: keyID) else {
            throw KeelError(.previousResponseNotFound, "Previous response with id '\(previous)' not found.", param: "previous_response_id")
        }
        let latest = try await store.latestCompleted(conversation: saved.conversation, keyID: keyID)
        guard latest == previous else {
            throw KeelError(
                .invalidValue,
                "Previous response '\(previous)' is not the latest completed response of its conversation"
                    + (latest.map { " ('\($0)' is)" } ?? "") + ": Keel continues a conversation from its latest response.",
                param: "previous_response_id"
            )
        }
        if let workflow = request.workflowID, workflow != saved.conversation {
            throw KeelError(
                .invalidValue,
                "The workflow '\(workflow)' is not the conversation of '\(previous)' ('\(saved.conversation)').",
                param: "x-keel-workflow-id"
            )
        }
        return saved.conversation
    }
}
