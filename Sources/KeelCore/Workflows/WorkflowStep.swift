import Foundation

/// One request of a workflow, stored durably: the step is committed before its answer is released.
public struct WorkflowStep: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        case running, completed, failed
        /// Keel stopped while the step ran (found at the next start).
        case interrupted
    }

    public var workflow: WorkflowRef
    /// 1, 2, … in the order steps started.
    public var number: Int
    public var requestID: String
    public var idempotencyKey: String?
    public var status: Status
    /// The messages the client sent for this step (only the new ones), as sent.
    public var input: [JSONObject]
    /// The assistant message that answered it.
    public var output: JSONObject?
    public var usage: TokenUsage?
    public var cost: Money?
    /// Upstream calls the step took.
    public var attempts: Int
    /// How the context was made to fit, if it had to be.
    public var compaction: Compaction?
    public var errorCode: String?
    public var startedAt: Date
    public var finishedAt: Date?

    public init(
        workflow: WorkflowRef,
        number: Int = 0,
        requestID: String,
        idempotencyKey: String? = nil,
        status: Status = .running,
        input: [JSONObject],
        output: JSONObject? = nil,
        usage: TokenUsage? = nil,
        cost: Money? = nil,
        attempts: Int = 0,
        compaction: Compaction? = nil,
        errorCode: String? = nil,
        startedAt: Date,
        finishedAt: Date? = nil
    ) {
        self.workflow = workflow
        self.number = number
        self.requestID = requestID
        self.idempotencyKey = idempotencyKey
        self.status = status
        self.input = input
        self.output = output
        self.usage = usage
        self.cost = cost
        self.attempts = attempts
        self.compaction = compaction
        self.errorCode = errorCode
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    /// What a client sent, pinned or not; the same input twice has the same digest.
    public var inputDigest: String { Digest.sha256Hex(JSONValue.array(input.map(JSONValue.object)).jsonString) }
}

/// What was left out of a step's context to make it fit its window, and how.
public struct Compaction: Sendable, Hashable {
    public var strategy: ContextStrategy
    /// Earlier steps whose turns were dropped (and, for `summarize`, condensed).
    public var droppedSteps: Int
    /// Input tokens the step did not send because of it (the summary's own tokens deducted).
    public var tokensSaved: Int
    /// What writing the summary cost.
    public var cost: Money

    public init(strategy: ContextStrategy, droppedSteps: Int, tokensSaved: Int, cost: Money = .zero) {
        self.strategy = strategy
        self.droppedSteps = droppedSteps
        self.tokensSaved = tokensSaved
        self.cost = cost
    }
}

/// What a route does when a workflow's history and new input exceed its context budget.
public enum ContextStrategy: String, Sendable, Hashable, CaseIterable {
    /// Drop the oldest unpinned turns.
    case truncate
    /// Condense the dropped turns with a cheaper model into a summary kept as a checkpoint.
    case summarize
    /// Refuse with 400 `context_length_exceeded`.
    case fail
}

/// A route's context management for workflows.
public struct ContextPolicy: Sendable, Hashable {
    public var strategy: ContextStrategy
    /// The most input tokens a step may send; by default its smallest target window less the output
    /// the request reserves (`max_tokens`, else ``defaultOutputReserve``).
    public var contextTokens: Int?
    /// The deployment that writes summaries (`summarize`).
    public var summarizer: ModelDeployment?

    public static let defaultOutputReserve = 1024

    public init(strategy: ContextStrategy = .truncate, contextTokens: Int? = nil, summarizer: ModelDeployment? = nil) {
        self.strategy = strategy
        self.contextTokens = contextTokens
        self.summarizer = summarizer
    }
}
