import Foundation
import Synchronization

/// The ledger of one request: stages write what they learn, and ``RecordStage`` turns it into
/// the request log row when the request has finished (for a stream, when the stream has).
public final class Exchange: Sendable {
    public let id: String
    public let operation: GatewayRequest.Operation
    /// The API the client called.
    public let api: ClientAPI
    public let startedAt: Date
    public let clock: KeelClock
    private let start: Duration
    private let state = Mutex(State())

    struct State {
        var keyID: String?
        var team: String?
        var requestedModel: String?
        var route: String?
        var deployment: ModelDeployment?
        var stream = false
        var usage: TokenUsage?
        var cost: Money?
        var usageEstimated = false
        var retryCost = Money.zero
        var attempts: [AttemptRecord] = []
        var upstream: Duration = .zero
        var firstToken: Duration?
        var promptTokens: Int?
        var prompt: (name: String, version: Int)?
        var degradation: Degradation?
        var replayOf: String?
        var workflowID: String?
        var evaluationRun: String?
        var workflowStep: Int?
        var finishReasons: [String] = []
        var metadata: JSONObject?
        var signals: ContentSignals?
        var riskTier: RiskTier?
        var decision: Decision?
        var reviewID: String?
        var privacy: PIIPolicy?
        var subject: String?
        var redactions: [PIIRedaction] = []
        var trace: (parent: String, state: String?)?
        var budgetRemaining: Money?
        var dialect: ClientDialect?
        var requestBody: [UInt8]?
        var responseBody: CapturedBody?
        var finished = false
    }

    public init(operation: GatewayRequest.Operation, api: ClientAPI? = nil, clock: KeelClock, id: String? = nil) {
        let startedAt = clock.now()
        self.id = id ?? RandomID.timeOrdered(prefix: "req_", at: startedAt)
        self.operation = operation
        self.api = api ?? ClientAPI(operation: operation)
        self.clock = clock
        self.startedAt = startedAt
        self.start = clock.uptime()
    }

    /// Time since the request started.
    public var elapsed: Duration { clock.uptime() - start }

    public func setCaller(_ key: APIKey) {
        state.withLock {
            $0.keyID = key.id
            $0.team = key.team
        }
    }

    public func setRequest(model: String, stream: Bool) {
        state.withLock {
            $0.requestedModel = model
            $0.stream = stream
        }
    }

    /// The body as read; shared, not copied, and turned into text only if the log keeps bodies.
    public func setRequestBody(_ body: [UInt8]) { state.withLock { $0.requestBody = body } }

    /// How the client asked, when it speaks another API than Chat Completions: what its answer is shaped by.
    public var dialect: ClientDialect? {
        get { state.withLock { $0.dialect } }
        set { state.withLock { $0.dialect = newValue } }
    }

    /// The body as the client sent it, once read.
    public var requestBody: [UInt8]? { state.withLock { $0.requestBody } }

    public func setRoute(_ route: Route) {
        state.withLock {
            $0.route = route.name
            $0.privacy = route.pii
        }
    }

    /// The route's PII policy, once the route is known.
    public var privacy: PIIPolicy? { state.withLock { $0.privacy } }

    /// `text` as Keel may store it for this request: masked by the route's PII policy, if it has
    /// one — for every store that keeps content (the log, idempotency, reviews, workflows, quarantine).
    public func storable(_ text: String) -> String { privacy?.redacted(text) ?? text }

    /// `object` with every string in it masked as ``storable(_:)-(String)`` masks text.
    public func storable(_ object: JSONObject) -> JSONObject { privacy.map { $0.redacting(object, field: "").object } ?? object }

    /// `completion` with its choices masked as ``storable(_:)-(String)`` masks text.
    public func storable(_ completion: ChatCompletion) -> ChatCompletion {
        guard let privacy else { return completion }
        return completion.mappingChoices { privacy.redacting($0, field: "choices").value }
    }

    /// Records values the PII stage found in the messages (by type, action and position).
    public func noteRedactions(_ redactions: [PIIRedaction]) { state.withLock { $0.redactions += redactions } }

    /// The call's usage and cost; `estimated` when Keel counted the tokens because the upstream did not.
    public func setUsage(_ usage: TokenUsage, cost: Money, estimated: Bool = false) {
        state.withLock {
            $0.usage = usage
            $0.cost = cost
            $0.usageEstimated = estimated
        }
    }

    /// The input tokens counted before any call (an estimate until the exact tokenizer counts them).
    public func setPromptTokens(_ tokens: Int) { state.withLock { $0.promptTokens = tokens } }

    /// The input tokens counted before the call, once counted.
    public var promptTokens: Int? { state.withLock { $0.promptTokens } }

    /// Records the registered prompt the request was rendered from.
    public func setPrompt(name: String, version: Int) { state.withLock { $0.prompt = (name, version) } }

    /// Marks the answer as degraded: it did not come from a model, for the reason given.
    public func setDegraded(_ degradation: Degradation) { state.withLock { $0.degradation = degradation } }

    /// Marks the answer as the stored answer of the earlier request `requestID` (same `Idempotency-Key`).
    public func setReplay(of requestID: String) { state.withLock { $0.replayOf = requestID } }

    /// The request whose stored answer this one replays, if it does.
    public var replayOf: String? { state.withLock { $0.replayOf } }

    public func setWorkflow(_ id: String) { state.withLock { $0.workflowID = id } }

    /// Marks the request as a case of an evaluation run.
    public func setEvaluationRun(_ id: String) { state.withLock { $0.evaluationRun = id } }

    /// The number of the workflow step this request is, once it is stored.
    public var workflowStep: Int? {
        get { state.withLock { $0.workflowStep } }
        set { state.withLock { $0.workflowStep = newValue } }
    }

    /// The workflow the request is a step of, for `x-keel-workflow-id`.
    public var workflowID: String? { state.withLock { $0.workflowID } }

    /// Why the answer's choices stopped.
    /// The request's `metadata`, as the client sent it.
    public func setMetadata(_ metadata: JSONObject?) { state.withLock { $0.metadata = metadata } }

    /// The end user the request is for, as ``DataSubject`` digests them.
    public func setSubject(_ digest: String) { state.withLock { $0.subject = digest } }

    /// The risk tier the route's policy gave the request.
    public func setRiskTier(_ tier: RiskTier) { state.withLock { $0.riskTier = tier } }

    /// How the answer was decided, for `x-keel-decision`.
    public var decision: Decision? {
        get { state.withLock { $0.decision } }
        set { state.withLock { $0.decision = newValue } }
    }

    /// The review that holds the request, for `x-keel-review-id`.
    public var reviewID: String? {
        get { state.withLock { $0.reviewID } }
        set { state.withLock { $0.reviewID = newValue } }
    }

    /// What drift monitors read from the request's content.
    public func setSignals(_ signals: ContentSignals) { state.withLock { $0.signals = signals } }

    public func addFinishReasons(_ reasons: [String]) { state.withLock { $0.finishReasons += reasons } }

    /// The client's W3C trace context, for the request's trace to continue.
    public func setTraceContext(parent: String, state traceState: String?) { state.withLock { $0.trace = (parent, traceState) } }

    /// Upstream calls made so far.
    public var attemptCount: Int { state.withLock { $0.attempts.count } }

    /// The usage accounted so far, and whether Keel estimated it.
    public var usage: (usage: TokenUsage, estimated: Bool)? { state.withLock { s in s.usage.map { ($0, s.usageEstimated) } } }

    /// What is left of the tightest budget covering the request, for `x-keel-budget-remaining`.
    public var budgetRemaining: Money? {
        get { state.withLock { $0.budgetRemaining } }
        set { state.withLock { $0.budgetRemaining = newValue } }
    }

    /// The request's cost so far, once accounted.
    public var cost: Money? { state.withLock { $0.cost } }

    /// Whether usage has been accounted (reported by the upstream or estimated).
    public var hasUsage: Bool { state.withLock { $0.usage != nil } }

    /// How the answer was degraded, if it was.
    public var degradation: Degradation? { state.withLock { $0.degradation } }

    /// The answer as the log keeps it, cut at `limit` bytes (an answer with no text in it: embeddings).
    public func setResponseBody(_ body: String, limit: Int) {
        var captured = CapturedBody(limit: limit)
        captured.append(body)
        state.withLock { $0.responseBody = captured }
    }

    /// The completion as the log keeps it, cut at `limit` bytes: its choices masked under a PII
    /// route, and what was masked recorded (fields `choices.0.message.content`, …).
    public func setResponse(_ completion: ChatCompletion, limit: Int) {
        var kept = completion
        var redactions: [PIIRedaction] = []
        if let privacy {
            kept = completion.mappingChoices { choices in
                let masked = privacy.redacting(choices, field: "choices")
                redactions = masked.redactions
                return masked.value
            }
        }
        var captured = CapturedBody(limit: limit)
        captured.append(kept.json.jsonText)
        state.withLock {
            $0.responseBody = captured
            $0.redactions += redactions
        }
    }

    /// Adds streamed text to the captured response body, in place; past `limit` bytes it is cut.
    public func appendResponseBody(_ text: String, limit: Int) {
        state.withLock { state in
            if state.responseBody == nil { state.responseBody = CapturedBody(limit: limit, needsMasking: state.privacy != nil) }
            state.responseBody?.append(text)
        }
    }

    /// The deployment that answered (the last attempt's).
    public var deployment: ModelDeployment? { state.withLock { $0.deployment } }

    /// Starts an upstream call to `deployment`; returns the start to pass to ``finishAttempt(_:started:failure:)``.
    public func startAttempt(to deployment: ModelDeployment) -> Duration {
        let now = elapsed
        state.withLock { $0.deployment = deployment }
        return now
    }

    /// Records an upstream call that started at `started` and ended now.
    public func finishAttempt(to deployment: ModelDeployment, started: Duration, failure: UpstreamError?) {
        let now = elapsed
        state.withLock {
            $0.upstream += now - started
            if failure != nil, let prompt = $0.promptTokens { $0.retryCost += deployment.price.input * prompt }
            $0.attempts.append(
                AttemptRecord(
                    number: $0.attempts.count + 1,
                    provider: deployment.provider,
                    model: deployment.name,
                    startOffsetMs: started.milliseconds,
                    durationMs: (now - started).milliseconds,
                    upstreamStatus: failure.map { $0.status } ?? 200,
                    error: failure?.kind.rawValue
                )
            )
        }
    }

    /// Marks the first streamed chunk; later calls change nothing.
    public func markFirstToken() {
        let now = elapsed
        state.withLock { if $0.firstToken == nil { $0.firstToken = now } }
    }

    /// Closes the ledger and returns its row, once: later calls return `nil`. With `bodyLimit`, the
    /// row keeps the bodies, each cut at that many bytes.
    public func finish(status: Int, error: KeelError? = nil, bodyLimit: Int? = nil) -> RequestRecord? {
        let duration = elapsed
        let closed = state.withLock { state -> (record: RequestRecord, state: State)? in
            guard !state.finished else { return nil }
            state.finished = true
            let error = error ?? state.degradation?.cause
            var record = RequestRecord(
                id: id,
                startedAt: startedAt,
                operation: operation.rawValue,
                keyID: state.keyID,
                team: state.team,
                requestedModel: state.requestedModel,
                route: state.route,
                model: state.deployment?.name,
                provider: state.deployment?.provider,
                stream: state.stream,
                status: status,
                errorCode: error?.code.name,
                errorMessage: error?.message,
                durationMs: duration.milliseconds,
                upstreamMs: state.attempts.isEmpty ? nil : state.upstream.milliseconds,
                timeToFirstTokenMs: state.firstToken?.milliseconds,
                inputTokens: state.usage?.inputTokens,
                outputTokens: state.usage?.outputTokens,
                cachedInputTokens: state.usage?.cachedInputTokens,
                cost: state.cost,
                usageEstimated: state.usageEstimated,
                retryCost: state.attempts.isEmpty ? nil : state.retryCost,
                promptTokens: state.promptTokens,
                degraded: state.degradation?.mode.rawValue,
                replayOf: state.replayOf,
                workflowID: state.workflowID,
                attempts: state.attempts
            )
            record.subject = state.subject
            record.api = api
            record.responseModel = state.deployment?.upstreamModel
            record.promptName = state.prompt?.name
            record.promptVersion = state.prompt?.version
            record.evaluationRun = state.evaluationRun
            record.finishReasons = state.finishReasons
            record.signals = state.signals
            record.riskTier = state.riskTier
            record.traceParent = state.trace?.parent
            record.traceState = state.trace?.state
            return (record, state)
        }
        guard let (record, state) = closed else { return nil }
        // The bodies are turned into text and masked after the lock: the ledger is closed.
        return Self.stored(record, state, bodyLimit: bodyLimit)
    }

    /// `record` with what the log keeps of the bodies, the metadata and the error message — under
    /// a PII policy masked, and what was masked recorded.
    private static func stored(_ record: RequestRecord, _ state: State, bodyLimit: Int?) -> RequestRecord {
        var record = record
        record.metadata = state.metadata
        record.redactions = state.redactions
        if let limit = bodyLimit, let bytes = state.requestBody {
            record.requestBody = storedRequestBody(bytes, limit: limit, privacy: state.privacy)
        }
        if bodyLimit != nil, let captured = state.responseBody {
            record.responseBody = captured.stored
        }
        guard let privacy = state.privacy else { return record }
        // An upstream's message may quote what it was sent.
        record.errorMessage = record.errorMessage.map(privacy.redacted)
        if bodyLimit != nil, let captured = state.responseBody, captured.needsMasking {
            let masked = privacy.redacting(captured.text, field: "response")
            record.redactions += masked.redactions
            record.responseBody = captured.replacingText(masked.text).stored
        }
        if let metadata = state.metadata {
            let masked = privacy.redacting(metadata, field: "metadata")
            record.redactions += masked.redactions
            record.metadata = masked.object
        }
        return record
    }

    /// The request body as the log keeps it, cut at `limit` bytes. Under a PII policy its strings
    /// are masked one by one (the values were counted where they were found: the messages, the
    /// metadata), so that JSON's escapes cannot hide a value; a body that is not JSON is masked as text.
    static func storedRequestBody(_ bytes: [UInt8], limit: Int, privacy: PIIPolicy?) -> String {
        var captured = CapturedBody(limit: limit)
        guard let privacy else {
            captured.append(bytes: bytes)
            return captured.stored
        }
        if let object = try? JSONParser.parse(bytes).objectValue {
            captured.append(privacy.redacting(object, field: "").object.jsonText)
        } else {
            captured.append(privacy.redacted(String(decoding: bytes, as: UTF8.self)))
        }
        return captured.stored
    }
}
