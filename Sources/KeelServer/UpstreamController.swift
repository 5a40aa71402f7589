import HTTPTypes
import Hummingbird
import KeelCore
import NIOCore

/// Serves any ``Upstream`` as a plain OpenAI-compatible API with no keys: this is how
/// `keel simulate` lets other tools and benchmarks call the simulator over HTTP.
public struct UpstreamController<Context: RequestContext>: Sendable {
    let upstream: any Upstream
    let models: [String]

    public init(upstream: any Upstream, models: [String]) {
        self.upstream = upstream
        self.models = models
    }

    public func addRoutes(to group: RouterGroup<Context>) {
        group.post("chat/completions") { request, _ in try await chat(request) }
        group.post("embeddings") { request, _ in
            var request = request
            let body = try await request.jsonBody(limit: 64 << 20)
            return try await answer { .json(.object(try await upstream.embed(EmbeddingsRequest(json: body)).json)) }
        }
        group.get("models") { _, _ -> Response in
            let data: [JSONValue] = models.map { ["id": .string($0), "object": "model", "created": 0, "owned_by": "keel-simulator"] }
            return .json(["object": "list", "data": .array(data)])
        }
    }

    private func chat(_ request: Request) async throws -> Response {
        var request = request
        let json = try await request.jsonBody(limit: 64 << 20)
        let chat = try ChatCompletionRequest(json: json)
        return try await answer {
            guard chat.stream else { return .json(.object(try await upstream.complete(chat).json)) }
            let stream = try await upstream.stream(chat)
            return ServerSentEvents.response(for: stream, includeUsage: chat.includeUsage, requestID: nil, onFailure: .dropConnection)
        }
    }

    /// Runs `operation`, answering an upstream failure with the status a real provider would send.
    private func answer(_ operation: () async throws -> Response) async throws -> Response {
        do {
            return try await operation()
        } catch let error as UpstreamError {
            let status: HTTPResponse.Status =
                switch error.kind {
                case .rateLimited: .tooManyRequests
                case .unavailable: .serviceUnavailable
                case .timeout: .gatewayTimeout
                case .rejected: .badRequest
                default: .internalServerError
                }
            let body: JSONValue = ["error": ["message": .string(error.message), "type": "simulated_error", "param": nil, "code": nil]]
            var response = Response.json(body, status: status)
            if let retryAfter = error.retryAfter { response.headers[.retryAfter] = String(retryAfter) }
            return response
        }
    }
}
