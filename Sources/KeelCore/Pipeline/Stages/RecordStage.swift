/// Outermost stage: closes the request's ledger when the request has finished — for a stream,
/// when the stream has — and hands the row to the observers (request log, metrics).
public struct RecordStage: PipelineStage {
    /// Whether request and response bodies go into the log (`none` by default).
    public enum BodyCapture: String, Sendable, CaseIterable {
        case none, full
    }

    /// What a kept body is cut at unless configured otherwise (`log.max_body_bytes`).
    public static let defaultMaximumBodyBytes = 256 << 10

    private let observers: [any ExchangeObserver]
    /// The size bodies are cut at, when they are kept at all.
    private let bodyLimit: Int?

    public init(observers: [any ExchangeObserver], bodies: BodyCapture = .none, maximumBodyBytes: Int = defaultMaximumBodyBytes) {
        self.observers = observers
        self.bodyLimit = bodies == .full ? maximumBodyBytes : nil
    }

    public func handle(
        _ request: GatewayRequest,
        exchange: Exchange,
        next: (GatewayRequest) async throws -> GatewayResponse
    ) async throws -> GatewayResponse {
        if let parent = request.traceParent { exchange.setTraceContext(parent: parent, state: request.traceState) }
        if let run = request.evaluationRun { exchange.setEvaluationRun(run) }
        let response: GatewayResponse
        do {
            response = try await next(request)
        } catch {
            let presented = KeelError(presenting: error)
            emit(exchange.finish(status: presented.status, error: presented, bodyLimit: bodyLimit))
            throw error
        }
        switch response {
        case .completion(let completion):
            exchange.addFinishReasons(completion.finishReasons)
            if let bodyLimit { exchange.setResponse(completion, limit: bodyLimit) }
            emit(exchange.finish(status: 200, bodyLimit: bodyLimit))
            return response
        case .embeddings(let embeddings):
            if let bodyLimit { exchange.setResponseBody(embeddings.json.jsonText, limit: bodyLimit) }
            emit(exchange.finish(status: 200, bodyLimit: bodyLimit))
            return response
        case .stream(let stream, let includeUsage):
            return .stream(observe(stream, exchange: exchange), includeUsage: includeUsage)
        case .held:
            emit(exchange.finish(status: 202, bodyLimit: bodyLimit))
            return response
        }
    }

    private func observe(_ stream: ChatStream, exchange: Exchange) -> ChatStream {
        let bodyLimit = bodyLimit
        return stream.observed(
            onChunk: { chunk in
                guard !chunk.isUsageOnly else { return }
                exchange.markFirstToken()
                if let reason = chunk.finishReason { exchange.addFinishReasons([reason]) }
                if let bodyLimit, let text = chunk.contentDelta { exchange.appendResponseBody(text, limit: bodyLimit) }
            },
            onEnd: { ending in
                switch ending {
                case .finished:
                    emit(exchange.finish(status: 200, bodyLimit: bodyLimit))
                case .failed(let error):
                    // The client already has its 200; the record keeps what really happened.
                    emit(exchange.finish(status: 200, error: KeelError(presenting: error), bodyLimit: bodyLimit))
                case .cancelled:
                    let closed = KeelError(presenting: CancellationError())
                    emit(exchange.finish(status: closed.status, error: closed, bodyLimit: bodyLimit))
                }
            }
        )
    }

    private func emit(_ record: RequestRecord?) {
        guard let record else { return }
        for observer in observers { observer.exchangeFinished(record) }
    }
}

extension JSONObject {
    /// The compact JSON text of this object.
    public var jsonText: String { JSONValue.object(self).jsonString }
}
