/// A request as it walks the pipeline; each stage may add what it learned.
public struct GatewayRequest: Sendable {
    /// What the client asked Keel to do, named as the OpenTelemetry GenAI conventions name it.
    public enum Operation: String, Sendable, Hashable {
        case chat
        case embeddings
    }

    /// The body: unread until ``ValidateStage`` reads it, so that requests refused earlier
    /// (a missing key) never have their bodies read at all.
    public enum Payload: Sendable {
        case unread(UnreadBody)
        case chat(ChatCompletionRequest)
        case embeddings(EmbeddingsRequest)
    }

    public let operation: Operation
    /// The API the client called, whose body ``ValidateStage`` reads and whose shape the answer takes.
    public let api: ClientAPI
    /// The secret the client presented (the bearer token), if any.
    public let credential: String?
    public var payload: Payload
    /// The caller's key, once ``AuthenticateStage`` has checked it.
    public var caller: APIKey?
    /// The route that will answer, once ``RouteStage`` has chosen it.
    public var route: Route?
    /// The request's structured input (prompt variables or metadata) as its route's contract
    /// normalised it, once ``ContractStage`` has.
    public var record: JSONObject?
    /// The input tokens, once ``FitContextStage`` has counted them (chat requests).
    public var promptTokens: Int?
    /// The `Idempotency-Key` header.
    public var idempotencyKey: String?
    /// The client's W3C `traceparent` and `tracestate` headers.
    public var traceParent: String?
    public var traceState: String?
    /// The workflow the request is a step of (`x-keel-workflow-id`, or `metadata.workflow_id`).
    public var workflowID: String?
    /// The evaluation run the request is a case of, when an evaluation sends it in process.
    public var evaluationRun: String?
    /// How many of the chat request's first messages are the request's own instructions (the
    /// Responses API's `instructions`): a workflow sends them first but neither keeps nor pins them.
    public var instructionCount = 0

    public init(api: ClientAPI, credential: String?, body: UnreadBody) {
        self.operation = api.operation
        self.api = api
        self.credential = credential
        self.payload = .unread(body)
    }

    /// A Chat Completions or embeddings request.
    public init(operation: Operation, credential: String?, body: UnreadBody) {
        self.init(api: ClientAPI(operation: operation), credential: credential, body: body)
    }

    public init(operation: Operation, credential: String?, body: [UInt8]) {
        self.init(operation: operation, credential: credential, body: UnreadBody { body })
    }

    /// The model the client named, once the body is read.
    public var requestedModel: String? {
        switch payload {
        case .unread: nil
        case .chat(let chat): chat.model
        case .embeddings(let embeddings): embeddings.model
        }
    }

    /// Whether the answer is to be streamed.
    public var wantsStream: Bool {
        guard case .chat(let chat) = payload else { return false }
        return chat.stream
    }

    /// Whether a streamed answer ends with the usage chunk.
    public var wantsUsage: Bool {
        guard case .chat(let chat) = payload else { return false }
        return chat.includeUsage
    }

    /// The chosen route, for stages that run after ``RouteStage``.
    public func requireRoute() throws -> Route {
        guard let route else { throw KeelError(.internalError, "The pipeline reached inference without a route.") }
        return route
    }
}
