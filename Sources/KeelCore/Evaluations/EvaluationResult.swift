import Foundation

/// What one case of a run came to: the answer, every scorer's score, and what the request cost.
public struct EvaluationResult: Sendable, Hashable {
    public enum Outcome: String, Sendable, Hashable {
        /// Every scorer passed and the case kept within its limits.
        case passed
        /// The answer came, and a scorer or a limit failed it.
        case failed
        /// No answer to score: the request failed, or a scorer could not run.
        case error
    }

    public var caseID: String
    public var outcome: Outcome
    public var answer: String?
    public var error: String?
    public var scores: [Score]
    /// The request's id in the log.
    public var requestID: String?
    public var latencyMs: Double
    public var cost: Money
    /// What the scorers' own calls (judge, embeddings) cost, counted apart.
    public var scoringCost: Money
    public var tokens: Int?
    public var finishedAt: Date

    public init(
        caseID: String,
        outcome: Outcome,
        answer: String? = nil,
        error: String? = nil,
        scores: [Score] = [],
        requestID: String? = nil,
        latencyMs: Double,
        cost: Money = .zero,
        scoringCost: Money = .zero,
        tokens: Int? = nil,
        finishedAt: Date
    ) {
        self.caseID = caseID
        self.outcome = outcome
        self.answer = answer
        self.error = error
        self.scores = scores
        self.requestID = requestID
        self.latencyMs = latencyMs
        self.cost = cost
        self.scoringCost = scoringCost
        self.tokens = tokens
        self.finishedAt = finishedAt
    }

    public var passed: Bool { outcome == .passed }

    public var json: JSONObject {
        var object = JSONObject([("case", .string(caseID)), ("outcome", .string(outcome.rawValue))])
        object["answer"] = JSONValue(answer)
        object["error"] = JSONValue(error)
        object["scores"] = .array(scores.map(\.json))
        object["request_id"] = JSONValue(requestID)
        object["latency_ms"] = .double(latencyMs)
        object["cost_usd"] = .double(cost.dollars)
        object["scoring_cost_usd"] = .double(scoringCost.dollars)
        object["tokens"] = tokens.map(JSONValue.init) ?? .null
        object["finished_at"] = .string(ISO8601DateFormatter.keel.string(from: finishedAt))
        return object
    }

    /// Reads what ``json`` wrote (how the stores keep a result).
    public init(json value: JSONValue) throws(KeelError) {
        let reader = try FieldReader(body: value)
        let outcome = try reader.required("outcome", "a string") { $0.stringValue.flatMap(Outcome.init(rawValue:)) }
        let finished = try reader.required("finished_at", "a date") { $0.stringValue.flatMap(ISO8601DateFormatter.keel.date(from:)) }
        self.init(
            caseID: try reader.required("case", "a string") { $0.stringValue },
            outcome: outcome,
            answer: try reader.string("answer"),
            error: try reader.string("error"),
            scores: try (reader.array("scores") ?? []).map { item throws(KeelError) in try Score(json: item) },
            requestID: try reader.string("request_id"),
            latencyMs: try reader.number("latency_ms") ?? 0,
            cost: Money(dollars: try reader.number("cost_usd") ?? 0),
            scoringCost: Money(dollars: try reader.number("scoring_cost_usd") ?? 0),
            tokens: try reader.integer("tokens", in: 0...Int.max),
            finishedAt: finished
        )
    }
}
