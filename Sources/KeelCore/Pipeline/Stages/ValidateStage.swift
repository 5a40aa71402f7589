/// Reads the body in the API the client called (a Responses or Messages body becomes the chat
/// request the pipeline runs): oversized bodies, malformed JSON, wrong types, out-of-range values and requests
/// over the ``RequestLimits`` end here with a 400 that names the parameter.
public struct ValidateStage: PipelineStage {
    private let limits: RequestLimits
    private let trips: LimitTrips

    public init(limits: RequestLimits = RequestLimits(), trips: LimitTrips = LimitTrips()) {
        self.limits = limits
        self.trips = trips
    }

    public func handle(
        _ request: GatewayRequest,
        exchange: Exchange,
        next: (GatewayRequest) async throws -> GatewayResponse
    ) async throws -> GatewayResponse {
        guard case .unread(let unread) = request.payload else { return try await next(request) }
        let body = try await unread.read()
        exchange.setRequestBody(body)
        let json: JSONValue
        do {
            json = try JSONParser.parse(body)
        } catch {
            throw KeelError(.invalidJSON, "We could not parse the JSON body of your request: \(error).")
        }
        var request = request
        switch request.api {
        case .chatCompletions:
            request.payload = .chat(try admit(ChatCompletionRequest(json: json), exchange: exchange))
        case .responses:
            let responses = try ResponsesRequest(json: json)
            exchange.dialect = .responses(responses)
            request.instructionCount = responses.instructionCount
            request.payload = .chat(try admit(responses.chat, exchange: exchange))
        case .messages:
            let messages = try MessagesRequest(json: json)
            exchange.dialect = .messages(messages)
            request.payload = .chat(try admit(messages.chat, exchange: exchange))
        case .embeddings:
            let embeddings = try EmbeddingsRequest(json: json)
            exchange.setRequest(model: embeddings.model, stream: false)
            try limits.check(embeddings, trips: trips)
            request.payload = .embeddings(embeddings)
        }
        return try await next(request)
    }

    /// A chat request within the limits, noted on the exchange.
    private func admit(_ chat: ChatCompletionRequest, exchange: Exchange) throws(KeelError) -> ChatCompletionRequest {
        exchange.setRequest(model: chat.model, stream: chat.stream)
        exchange.setMetadata(chat.json["metadata"]?.objectValue)
        if let user = chat.json["user"]?.stringValue, !user.isEmpty { exchange.setSubject(DataSubject.digest(of: user)) }
        try limits.check(chat, trips: trips)
        return chat
    }
}
