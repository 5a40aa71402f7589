import HTTPTypes
import Hummingbird
import KeelCore
import Logging

/// The model APIs under `/v1` — OpenAI's Chat Completions, Responses and embeddings, Anthropic's
/// Messages: every call runs through the one pipeline, is answered in its API's shape, and is
/// cancelled (upstream call included) if its client disconnects before the answer.
public struct GatewayController: Sendable {
    let pipeline: Pipeline
    let routes: RouteTable
    let counter: any TokenCounter
    let disconnects: ClientDisconnects
    let maximumBodySize: Int
    let trips: LimitTrips

    public init(
        pipeline: Pipeline,
        routes: RouteTable,
        counter: any TokenCounter = EstimatingTokenCounter(),
        disconnects: ClientDisconnects,
        maximumBodySize: Int,
        trips: LimitTrips = LimitTrips()
    ) {
        self.pipeline = pipeline
        self.routes = routes
        self.counter = counter
        self.disconnects = disconnects
        self.maximumBodySize = maximumBodySize
        self.trips = trips
    }

    public func addRoutes(to routes: KeelRoutes) {
        routes.post("/v1/chat/completions", access: .models) { request, context in try await run(.chatCompletions, request, context: context) }
        routes.post("/v1/responses", access: .models) { request, context in try await run(.responses, request, context: context) }
        routes.post("/v1/messages", access: .models) { request, context in try await run(.messages, request, context: context) }
        routes.post("/v1/messages/count_tokens", access: .requires(.callModels)) { request, _ in try await countTokens(request) }
        routes.post("/v1/embeddings", access: .models) { request, context in try await run(.embeddings, request, context: context) }
        routes.get("/v1/models", access: .requires(.callModels)) { _, _ in listModels() }
        routes.get("/v1/models/{id}", access: .requires(.callModels)) { _, context in try model(id: context.parameters.require("id")) }
    }

    private func run(_ api: ClientAPI, _ request: Request, context: KeelRequestContext) async throws -> Response {
        let (limit, trips) = (maximumBodySize, trips)
        let body = UnreadBody {
            var request = request
            do {
                return try await request.collectBody(limit: limit)
            } catch let error as KeelError where error.code == .payloadTooLarge {
                trips.record("server.max_body_bytes")
                throw error
            }
        }
        var gatewayRequest = GatewayRequest(api: api, credential: request.bearerToken ?? request.headers[.apiKey], body: body)
        gatewayRequest.caller = context.identity.key
        gatewayRequest.idempotencyKey = request.headers[.idempotencyKey]
        gatewayRequest.workflowID = request.headers[.keelWorkflowID]
        gatewayRequest.traceParent = request.headers[.traceParent]
        gatewayRequest.traceState = request.headers[.traceState]
        let (exchange, result) = await disconnects.run(on: context.channel) { [pipeline, gatewayRequest] in await pipeline.handle(gatewayRequest) }
        var response = respond(to: result, exchange: exchange, shape: ErrorShape(path: request.uri.path), logger: context.logger)
        if api == .messages { response.headers[.anthropicRequestID] = exchange.id }
        if let degradation = exchange.degradation { response.headers[.keelDegraded] = degradation.headerValue }
        if let remaining = exchange.budgetRemaining { response.headers[.keelBudgetRemaining] = remaining.dollarsText }
        if exchange.replayOf != nil { response.headers[.idempotentReplayed] = "true" }
        if let decision = exchange.decision { response.headers[.keelDecision] = decision.rawValue }
        if let review = exchange.reviewID { response.headers[.keelReviewID] = review }
        if let workflow = exchange.workflowID {
            response.headers[.keelWorkflowID] = workflow
            if let step = exchange.workflowStep { response.headers[.keelWorkflowStep] = String(step) }
        }
        return response
    }

    private func respond(to result: Result<GatewayResponse, any Error>, exchange: Exchange, shape: ErrorShape, logger: Logger) -> Response {
        switch result {
        case .success(.completion(let completion)):
            return .json(.object(Self.present(completion, exchange: exchange)), requestID: exchange.id)
        case .success(.embeddings(let embeddings)):
            return .json(.object(embeddings.json), requestID: exchange.id)
        case .success(.stream(let stream, let includeUsage)):
            switch exchange.dialect {
            case .responses(let responses):
                let translator = ResponsesStreamTranslator(
                    object: ResponseObject(exchange: exchange, request: responses),
                    model: responses.chat.model
                )
                return ServerSentEvents.response(for: EventStream(translating: stream, with: translator), headers: [.requestID: exchange.id])
            case .messages(let messages):
                // The model that answers, as a whole message names it (the route's, for a replay).
                let model = exchange.deployment?.upstreamModel ?? messages.chat.model
                let message = AnthropicMessage(id: AnthropicMessage.id(ofRequest: exchange.replayOf ?? exchange.id), model: model)
                let translator = MessagesStreamTranslator(message: message, inputTokens: exchange.promptTokens ?? 0)
                return ServerSentEvents.response(for: EventStream(translating: stream, with: translator), headers: [.requestID: exchange.id])
            case nil:
                return ServerSentEvents.response(for: stream, includeUsage: includeUsage, requestID: exchange.id)
            }
        case .success(.held(let reviewID)):
            var response = Response.json(.object(Review.ticket(id: reviewID)), status: .accepted, requestID: exchange.id)
            response.headers[.location] = Review.url(id: reviewID)
            return response
        case .failure(let error):
            let presented = KeelError(presenting: error)
            if presented.code.category == .internalError {
                logger.error("request failed inside Keel", metadata: ["request_id": "\(exchange.id)", "error": "\(error)"])
            }
            return .error(presented, requestID: exchange.id, shape: shape)
        }
    }

    /// A completion in the shape of the API the client called.
    private static func present(_ completion: ChatCompletion, exchange: Exchange) -> JSONObject {
        switch exchange.dialect {
        case .responses(let responses):
            ResponseObject(exchange: exchange, request: responses).json(for: completion)
        case .messages:
            AnthropicMessage(id: AnthropicMessage.id(ofRequest: exchange.replayOf ?? exchange.id), model: completion.model).json(for: completion)
        case nil:
            completion.json
        }
    }

    /// `POST /v1/messages/count_tokens`: the input tokens of a Messages body on its route's first model.
    private func countTokens(_ request: Request) async throws -> Response {
        var request = request
        let body = try await request.jsonBody(limit: maximumBodySize)
        let chat = try MessagesRequest(json: body, counting: true).chat
        let route = try routes.resolve(chat.model)
        return .json(["input_tokens": JSONValue(counter.inputTokens(of: chat, for: route.targets[0]))])
    }

    private func listModels() -> Response {
        .json(["object": "list", "data": .array(routes.all.map(Self.modelObject))])
    }

    private func model(id: String) throws -> Response {
        .json(Self.modelObject(try routes.resolve(id)))
    }

    private static func modelObject(_ route: Route) -> JSONValue {
        ["id": .string(route.name), "object": "model", "created": JSONValue(route.created), "owned_by": "keel"]
    }
}
