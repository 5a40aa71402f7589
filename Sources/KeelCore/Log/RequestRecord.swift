import Foundation

/// One row of the request log: everything needed to explain a request after the fact.
public struct RequestRecord: Sendable, Hashable {
    public var id: String
    public var startedAt: Date
    public var operation: String
    /// The API the client called (`nil` in rows older than the column).
    public var api: ClientAPI?
    public var keyID: String?
    /// The key's team when the request was made.
    public var team: String?
    /// The public model name the client asked for.
    public var requestedModel: String?
    public var route: String?
    /// The deployment that answered (the last attempt's).
    public var model: String?
    public var provider: String?
    public var stream: Bool
    /// The HTTP status the client received.
    public var status: Int
    public var errorCode: String?
    public var errorMessage: String?
    public var durationMs: Double
    /// Time spent waiting on upstreams, all attempts together.
    public var upstreamMs: Double?
    /// Time to the first streamed content.
    public var timeToFirstTokenMs: Double?
    public var inputTokens: Int?
    public var outputTokens: Int?
    public var cachedInputTokens: Int?
    public var cost: Money?
    /// Whether Keel counted the tokens (and so the cost) itself because the upstream reported no usage.
    public var usageEstimated: Bool
    /// The input of the attempts that failed, at their deployment's input price: what retries may
    /// have cost on top of ``cost``, at most.
    public var retryCost: Money?
    /// Input tokens counted before the call, which every retry sends again.
    public var promptTokens: Int?
    /// How the answer was degraded (`cache`, `static`) when no model gave it; the error says why.
    public var degraded: String?
    /// The request whose stored answer this one got again (same `Idempotency-Key`): no call, no charge.
    public var replayOf: String?
    /// The workflow this request was a step of.
    public var workflowID: String?
    public var requestBody: String?
    public var responseBody: String?
    public var attempts: [AttemptRecord]
    /// The model the answering deployment names upstream.
    public var responseModel: String?
    /// The registered prompt the request was rendered from, and its version.
    public var promptName: String?
    public var promptVersion: Int?
    /// The evaluation run this request was a case of: evaluation traffic, not an application's.
    public var evaluationRun: String?
    /// Why each choice stopped (`stop`, `length`, `tool_calls`, …).
    public var finishReasons: [String] = []
    /// The request's `metadata` object, as the client sent it.
    public var metadata: JSONObject?
    /// What drift monitors read from the content: the input's script, refusal, JSON validity.
    public var signals: ContentSignals?
    /// The risk tier the route's policy gave the request.
    public var riskTier: RiskTier?
    /// The personal data kept out of this row and out of the upstream's sight: by type, action and position.
    public var redactions: [PIIRedaction] = []
    /// The end user the request was for: the digest of its `user` (``DataSubject``).
    public var subject: String?
    /// The client's W3C trace context (`traceparent`, `tracestate`), which the request's trace continues.
    public var traceParent: String?
    public var traceState: String?

    public init(
        id: String,
        startedAt: Date,
        operation: String,
        keyID: String? = nil,
        team: String? = nil,
        requestedModel: String? = nil,
        route: String? = nil,
        model: String? = nil,
        provider: String? = nil,
        stream: Bool = false,
        status: Int,
        errorCode: String? = nil,
        errorMessage: String? = nil,
        durationMs: Double,
        upstreamMs: Double? = nil,
        timeToFirstTokenMs: Double? = nil,
        inputTokens: Int? = nil,
        outputTokens: Int? = nil,
        cachedInputTokens: Int? = nil,
        cost: Money? = nil,
        usageEstimated: Bool = false,
        retryCost: Money? = nil,
        promptTokens: Int? = nil,
        degraded: String? = nil,
        replayOf: String? = nil,
        workflowID: String? = nil,
        requestBody: String? = nil,
        responseBody: String? = nil,
        attempts: [AttemptRecord] = []
    ) {
        self.id = id
        self.startedAt = startedAt
        self.operation = operation
        self.keyID = keyID
        self.team = team
        self.requestedModel = requestedModel
        self.route = route
        self.model = model
        self.provider = provider
        self.stream = stream
        self.status = status
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.durationMs = durationMs
        self.upstreamMs = upstreamMs
        self.timeToFirstTokenMs = timeToFirstTokenMs
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedInputTokens = cachedInputTokens
        self.cost = cost
        self.usageEstimated = usageEstimated
        self.retryCost = retryCost
        self.promptTokens = promptTokens
        self.degraded = degraded
        self.replayOf = replayOf
        self.workflowID = workflowID
        self.requestBody = requestBody
        self.responseBody = responseBody
        self.attempts = attempts
    }
}
