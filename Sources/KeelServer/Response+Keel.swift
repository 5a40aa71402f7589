import HTTPTypes
import Hummingbird
import KeelCore
import NIOCore

extension Response {
    /// A JSON response with `value` as its body.
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, requestID: String? = nil) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let requestID { headers[.requestID] = requestID }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: value.serialized())))
    }

    /// The error's body in `shape` with the error's status (and `Retry-After` when it has one).
    static func error(_ error: KeelError, requestID: String? = nil, shape: ErrorShape = .openAI) -> Response {
        let body =
            switch shape {
            case .openAI: error.body
            case .anthropic: error.anthropicBody(requestID: requestID)
            }
        var response = json(body, status: HTTPResponse.Status(code: error.status), requestID: requestID)
        if let retryAfter = error.retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        return response
    }
}

/// Whose error body a client gets: Anthropic's under `/v1/messages`, which its SDKs call; OpenAI's everywhere else.
enum ErrorShape {
    case openAI, anthropic

    init(path: String) { self = path.hasPrefix("/v1/messages") ? .anthropic : .openAI }
}

extension HTTPField.Name {
    static let requestID = HTTPField.Name("x-request-id")!
    /// The request id under the name Anthropic's clients read it.
    static let anthropicRequestID = HTTPField.Name("request-id")!
    /// Set on an answer that did not come from a model: `cache` or `static`, and the failure behind it.
    static let keelDegraded = HTTPField.Name("x-keel-degraded")!
    /// US dollars left in the tightest budget covering the request.
    static let keelBudgetRemaining = HTTPField.Name("x-keel-budget-remaining")!
    /// The request's `Idempotency-Key`.
    static let idempotencyKey = HTTPField.Name("idempotency-key")!
    /// Set on an answer given again for a repeated `Idempotency-Key`.
    static let idempotentReplayed = HTTPField.Name("idempotent-replayed")!
    /// The workflow a request is a step of.
    static let keelWorkflowID = HTTPField.Name("x-keel-workflow-id")!
    /// W3C trace context: the client's trace, which Keel's spans continue.
    static let traceParent = HTTPField.Name("traceparent")!
    static let traceState = HTTPField.Name("tracestate")!
    /// The step a workflow request became, on its answer.
    static let keelWorkflowStep = HTTPField.Name("x-keel-workflow-step")!
    /// How the answer of a route with a risk policy was decided: `auto`, `validated`, `human-approved`, `human-edited`, `rejected`.
    static let keelDecision = HTTPField.Name("x-keel-decision")!
    /// The review that holds (or held) the request.
    static let keelReviewID = HTTPField.Name("x-keel-review-id")!
}
