import Foundation

extension Review {
    /// Where a client polls a held request.
    public static func url(id: String) -> String { "/v1/reviews/\(id)" }

    /// The `202` body of a request held past its wait.
    public static func ticket(id: String) -> JSONObject {
        JSONObject([("id", .string(id)), ("object", "review"), ("status", "pending"), ("url", .string(url(id: id)))])
    }

    private static func time(_ date: Date?) -> JSONValue { date.map { .string(ISO8601DateFormatter.keel.string(from: $0)) } ?? .null }

    /// The review as reviewers see it; with `full`, what the model was asked and answered too.
    public func json(at now: Date, full: Bool) -> JSONObject {
        var object = JSONObject([
            ("id", .string(id)), ("kind", .string(kind.rawValue)), ("status", .string(status(at: now).rawValue)),
            ("request_id", .string(requestID)), ("route", .string(route)), ("team", JSONValue(team)), ("tier", .string(tier.rawValue)),
            ("category", JSONValue(category)), ("reasons", .array(reasons.map(JSONValue.string))), ("created_at", Self.time(createdAt)),
            ("due_at", Self.time(dueAt)), ("escalated_at", Self.time(escalatedAt)), ("delivered_at", Self.time(deliveredAt)),
        ])
        if let contestReason { object["contest_reason"] = .string(contestReason) }
        if let claim, status(at: now) == .claimed {
            object["claim"] = ["reviewer": .string(claim.reviewer), "expires_at": Self.time(claim.expiresAt)]
        }
        if let decision {
            object["decision"] = [
                "verdict": .string(decision.verdict.rawValue), "reviewer": .string(decision.reviewer), "decided_at": Self.time(decision.decidedAt),
                "reason": JSONValue(decision.reason), "edit": JSONValue(decision.edit),
            ]
        }
        if full {
            object["request"] = .object(request)
            object["answer"] = answer.map { .object($0.json) } ?? .null
        }
        return object
    }

    /// The review as its client polls it: `pending`, or how it was decided with the released
    /// answer (`response`) or the rejection (`error`).
    public func clientJSON(at now: Date) -> JSONObject {
        let status = status(at: now)
        var object = JSONObject([
            ("id", .string(id)), ("object", "review"), ("status", .string(status == .claimed ? "pending" : status.rawValue)),
            ("request_id", .string(requestID)), ("created_at", Self.time(createdAt)),
        ])
        guard let decision else { return object }
        object["decision"] = .string(decision.verdict.outcome.rawValue)
        object["decided_at"] = Self.time(decision.decidedAt)
        if let reason = decision.reason { object["reason"] = .string(reason) }
        if let released { object["response"] = .object(released.json) }
        if let rejection { object["error"] = rejection.body }
        return object
    }
}

extension Review {
    /// The decided case as an evaluation case: what was asked, and as the expected answer the one
    /// the decision released (the model's, approved, or the reviewer's edit); `nil` for a rejected
    /// or undecided case, or one whose request has neither variables nor messages.
    public var evaluationCase: EvaluationCase? {
        guard let expected = released?.content else { return nil }
        let given = request["variables"] ?? request["prompt"]?.objectValue?["variables"]
        let variables = given?.objectValue ?? given?.stringValue.flatMap { try? JSONParser.parse($0).objectValue }
        let messages = request["messages"]?.arrayValue?.compactMap(\.objectValue)
        guard variables != nil || !(messages ?? []).isEmpty else { return nil }
        return EvaluationCase(
            id: id,
            variables: variables,
            messages: (messages ?? []).isEmpty ? nil : messages,
            expected: .string(expected),
            category: category,
            riskTier: tier
        )
    }
}
