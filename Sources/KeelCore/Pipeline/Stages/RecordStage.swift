/// Outermost stage: closes the request's ledger when the request has finished — for a stream,
/// when the stream has — and hands the row to the observers (request log, metrics).
public struct RecordStage: PipelineStage {
    /// Whether request and response bodies go into the log (`none` by default).
    public enum BodyCapture: String, Sendable, CaseIterable {
        case none, full
    }

    private let observers: [any ExchangeObserver]
    private let bodies: BodyCapture

    public init(observers: [any ExchangeObserver], bodies: BodyCapture = .none) {
        self.observers = observers
        self.bodies = bodies
    }

    public func handle(
        _ request: GatewayRequest,
        exchange: Exchange,
        next: (GatewayRequest) async throws -> GatewayResponse
    ) async throws -> GatewayResponse {
        if let parent = request.traceParent { exchange.setTraceContext(parent: parent, state: request.traceState) }
        let response: GatewayResponse
        do {
            response = try await next(request)
        } catch {
            let presented = KeelError(presenting: error)
            emit(exchange.finish(status: presented.status, error: presented, keepBodies: keepBodies))
            throw error
        }
        switch response {
        case .completion(let completion):
            exchange.addFinishReasons(completion.finishReasons)
            if keepBodies { exchange.setResponseBody(completion.json.jsonText) }
            emit(exchange.finish(status: 200, keepBodies: keepBodies))
            return response
        case .embeddings(let embeddings):
            if keepBodies { exchange.setResponseBody(embeddings.json.jsonText) }
            emit(exchange.finish(status: 200, keepBodies: keepBodies))
            return response
        case .stream(let stream, let includeUsage):
            return .stream(observe(stream, exchange: exchange), includeUsage: includeUsage)
        }
    }

    private func observe(_ stream: ChatStream, exchange: Exchange) -> ChatStream {
        let captureBody = keepBodies
        return stream.observed(
            onChunk: { chunk in
                guard !chunk.isUsageOnly else { return }
                exchange.markFirstToken()
                if let reason = chunk.finishReason { exchange.addFinishReasons([reason]) }
                if captureBody, let text = chunk.contentDelta { exchange.appendResponseBody(text) }
            },
            onEnd: { ending in
                switch ending {
                case .finished:
                    emit(exchange.finish(status: 200, keepBodies: keepBodies))
                case .failed(let error):
                    // The client already has its 200; the record keeps what really happened.
                    emit(exchange.finish(status: 200, error: KeelError(presenting: error), keepBodies: keepBodies))
                case .cancelled:
                    let closed = KeelError(presenting: CancellationError())
                    emit(exchange.finish(status: closed.status, error: closed, keepBodies: keepBodies))
                }
            }
        )
    }

    private var keepBodies: Bool { bodies == .full }

    private func emit(_ record: RequestRecord?) {
        guard let record else { return }
        for observer in observers { observer.exchangeFinished(record) }
    }
}

extension JSONObject {
    /// The compact JSON text of this object.
    public var jsonText: String { JSONValue.object(self).jsonString }
}
