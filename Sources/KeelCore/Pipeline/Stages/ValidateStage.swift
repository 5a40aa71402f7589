/// Reads the body: oversized bodies, malformed JSON, wrong types, out-of-range values and requests
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
        switch request.operation {
        case .chat:
            let chat = try ChatCompletionRequest(json: json)
            exchange.setRequest(model: chat.model, stream: chat.stream)
            exchange.setMetadata(chat.json["metadata"]?.objectValue)
            if let user = chat.json["user"]?.stringValue, !user.isEmpty { exchange.setSubject(DataSubject.digest(of: user)) }
            try limits.check(chat, trips: trips)
            request.payload = .chat(chat)
        case .embeddings:
            let embeddings = try EmbeddingsRequest(json: json)
            exchange.setRequest(model: embeddings.model, stream: false)
            try limits.check(embeddings, trips: trips)
            request.payload = .embeddings(embeddings)
        }
        return try await next(request)
    }
}
