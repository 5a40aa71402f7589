import Foundation

/// A case a person decides: a high-tier answer held before its client sees it, a medium one that
/// failed its extra validation, or an answer someone contested afterwards. It keeps what the
/// model was asked and what it answered, so that a reviewer decides on what the client would get.
public struct Review: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Held on the request path: the client gets the answer only once it is decided.
        case hold
        /// An answer already released, challenged afterwards.
        case contest
    }

    /// Where a review stands.
    public enum Status: String, Sendable, Hashable, CaseIterable {
        case pending, claimed, approved, edited, rejected
    }

    /// A reviewer's claim on a review: others cannot decide it until it expires.
    public struct Claim: Sendable, Hashable {
        public var reviewer: String
        public var expiresAt: Date

        public init(reviewer: String, expiresAt: Date) {
            self.reviewer = reviewer
            self.expiresAt = expiresAt
        }
    }

    public var id: String
    public var kind: Kind
    /// The request held, or the one contested.
    public var requestID: String
    public var route: String
    public var team: String?
    /// The key that made the request: the one that may poll for it.
    public var keyID: String?
    public var tier: RiskTier
    /// What the error distribution counts the case under (the route's `review.category`).
    public var category: String?
    /// Why the case needs a person: the rules that held, or the validation that failed.
    public var reasons: [String]
    /// The request as the client sent it.
    public var request: JSONObject
    /// The model's answer; `nil` for a contest of an answer the log did not keep.
    public var answer: ChatCompletion?
    /// Whether the client asked for a stream (a decided answer is then streamed to a waiting client).
    public var stream: Bool
    public var createdAt: Date
    /// When the review should be decided by; past it, it is escalated once.
    public var dueAt: Date
    public var escalatedAt: Date?
    public var claim: Claim?
    public var decision: ReviewDecision?
    /// Why the answer was contested, for a contest.
    public var contestReason: String?
    /// When the decided answer reached its client (a waiting one, a poll or the callback).
    public var deliveredAt: Date?
    /// Until when the delivery is someone's: the client waiting on its connection, or a callback
    /// being sent. No one else delivers before.
    public var deliveryLease: Date?

    public init(
        id: String = RandomID.make(prefix: "rev_"),
        kind: Kind,
        requestID: String,
        route: String,
        team: String?,
        keyID: String?,
        tier: RiskTier,
        category: String?,
        reasons: [String],
        request: JSONObject,
        answer: ChatCompletion?,
        stream: Bool = false,
        createdAt: Date,
        dueAt: Date,
        contestReason: String? = nil
    ) {
        self.id = id
        self.kind = kind
        self.requestID = requestID
        self.route = route
        self.team = team
        self.keyID = keyID
        self.tier = tier
        self.category = category
        self.reasons = reasons
        self.request = request
        self.answer = answer
        self.stream = stream
        self.createdAt = createdAt
        self.dueAt = dueAt
        self.contestReason = contestReason
    }

    /// Where the review stands at `now`: a claim past its expiry no longer counts.
    public func status(at now: Date) -> Status {
        if let decision { return decision.verdict.status }
        if let claim, claim.expiresAt > now { return .claimed }
        return .pending
    }

    /// The answer a decision releases: the model's, or the reviewer's edit of it.
    public var released: ChatCompletion? {
        guard let decision, decision.verdict != .rejected else { return nil }
        guard decision.verdict == .edited, let edit = decision.edit else { return answer }
        return
            (answer
            ?? ChatCompletion(
                id: requestID,
                created: Int(createdAt.timeIntervalSince1970),
                model: "",
                contents: [""],
                finishReason: "stop",
                usage: nil
            ))
            .replacingContent(with: edit)
    }

    /// The error a rejection releases instead of the answer.
    public var rejection: KeelError? {
        guard let decision, decision.verdict == .rejected else { return nil }
        var error = KeelError(.reviewRejected, "A reviewer rejected the answer" + (decision.reason.map { ": \($0)" } ?? "."))
        error.details["review_id"] = .string(id)
        return error
    }

    /// How the client's answer was decided, for `x-keel-decision`.
    public var outcome: Decision? { decision.map(\.verdict.outcome) }
}

extension ChatCompletion {
    /// The completion with its first choice's text replaced.
    func replacingContent(with text: String) -> ChatCompletion {
        var json = self.json
        var choices = json["choices"]?.arrayValue ?? []
        var choice = choices.first?.objectValue ?? JSONObject([("index", 0), ("finish_reason", "stop")])
        var message = choice["message"]?.objectValue ?? JSONObject([("role", "assistant")])
        message["content"] = .string(text)
        message["tool_calls"] = nil
        choice["message"] = .object(message)
        if choices.isEmpty { choices = [.object(choice)] } else { choices[0] = .object(choice) }
        json["choices"] = .array(choices)
        return (try? ChatCompletion(normalizing: .object(json), fallbackID: id, created: 0)) ?? self
    }
}
