import Foundation
import KeelCore

/// Reviews as both backends store them, and every statement on them: written once with `?`
/// placeholders, each backend binding them its own way. What a review was asked and answered is
/// one JSON document (`body`); what changes (the claim, the decision, the delivery) has columns of
/// its own, so that each change is one conditional `UPDATE … RETURNING`.
enum ReviewRows {
    static let tables = """
        CREATE TABLE reviews (
            id TEXT PRIMARY KEY, kind TEXT NOT NULL, request_id TEXT NOT NULL, route TEXT NOT NULL, team TEXT, key_id TEXT,
            created_at DOUBLE NOT NULL, due_at DOUBLE NOT NULL, body TEXT NOT NULL, claimed_by TEXT, claim_expires_at DOUBLE,
            verdict TEXT, reviewer TEXT, decided_at DOUBLE, reason TEXT, edit TEXT, delivered_at DOUBLE, delivery_lease DOUBLE,
            escalated_at DOUBLE
        );
        CREATE INDEX reviews_request ON reviews (request_id);
        CREATE INDEX reviews_key ON reviews (key_id, created_at);
        CREATE INDEX reviews_open ON reviews (verdict, due_at);
        CREATE INDEX reviews_created ON reviews (created_at)
        """

    static let insert = """
        INSERT INTO reviews (id, kind, request_id, route, team, key_id, created_at, due_at, body, delivery_lease)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    static func values(of review: Review) -> [StoredValue] {
        let body = JSONObject([
            ("tier", .string(review.tier.rawValue)), ("category", JSONValue(review.category)),
            ("reasons", .array(review.reasons.map(JSONValue.string))), ("request", .object(review.request)),
            ("answer", review.answer.map { .object($0.json) } ?? .null), ("stream", .bool(review.stream)),
            ("contest_reason", JSONValue(review.contestReason)),
        ])
        return [
            .text(review.id), .text(review.kind.rawValue), .text(review.requestID), .text(review.route), .text(review.team), .text(review.keyID),
            .real(review.createdAt.timeIntervalSince1970), .real(review.dueAt.timeIntervalSince1970), .text(JSONValue.object(body).jsonString),
            .real(review.deliveryLease?.timeIntervalSince1970),
        ]
    }

    /// A statement and what it binds.
    static func byID(_ id: String) -> StoredQuery { StoredQuery(sql: "SELECT * FROM reviews WHERE id = ?", values: [.text(id)]) }

    static func ofRequest(_ requestID: String) -> StoredQuery {
        StoredQuery(sql: "SELECT * FROM reviews WHERE request_id = ? ORDER BY created_at, id", values: [.text(requestID)])
    }

    static func held(ofKey keyID: String, limit: Int) -> StoredQuery {
        StoredQuery(
            sql: "SELECT * FROM reviews WHERE key_id = ? AND kind = 'hold' ORDER BY created_at DESC, id DESC LIMIT ?",
            values: [.text(keyID), .integer(limit)]
        )
    }

    static func list(statuses: Set<Review.Status>, scope: TeamScope, now: Date, limit: Int) -> StoredQuery {
        var conditions: [String] = []
        var values: [StoredValue] = []
        switch scope {
        case .all: break
        case .team(nil): conditions.append("team IS NULL")
        case .team(let team?):
            conditions.append("team = ?")
            values.append(.text(team))
        }
        if !statuses.isEmpty {
            var any: [String] = []
            for status in Review.Status.allCases where statuses.contains(status) {
                switch status {
                case .pending: any.append("(verdict IS NULL AND (claim_expires_at IS NULL OR claim_expires_at <= ?))")
                case .claimed: any.append("(verdict IS NULL AND claim_expires_at > ?)")
                case .approved, .edited, .rejected: any.append("verdict = '\(status.rawValue)'")
                }
                if status == .pending || status == .claimed { values.append(.real(now.timeIntervalSince1970)) }
            }
            conditions.append("(" + any.joined(separator: " OR ") + ")")
        }
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        return StoredQuery(sql: "SELECT * FROM reviews\(filter) ORDER BY created_at DESC, id DESC LIMIT ?", values: values + [.integer(limit)])
    }

    static func claim(id: String, reviewer: String, expiresAt: Date, now: Date) -> StoredQuery {
        StoredQuery(
            sql: """
                UPDATE reviews SET claimed_by = ?, claim_expires_at = ?
                WHERE id = ? AND verdict IS NULL AND (claim_expires_at IS NULL OR claim_expires_at <= ? OR claimed_by = ?) RETURNING *
                """,
            values: [.text(reviewer), .real(expiresAt.timeIntervalSince1970), .text(id), .real(now.timeIntervalSince1970), .text(reviewer)]
        )
    }

    static func decide(id: String, decision: ReviewDecision, now: Date) -> StoredQuery {
        StoredQuery(
            sql: """
                UPDATE reviews SET verdict = ?, reviewer = ?, decided_at = ?, reason = ?, edit = ?, claimed_by = NULL, claim_expires_at = NULL
                WHERE id = ? AND verdict IS NULL AND (claim_expires_at IS NULL OR claim_expires_at <= ? OR claimed_by = ?) RETURNING *
                """,
            values: [
                .text(decision.verdict.rawValue), .text(decision.reviewer), .real(decision.decidedAt.timeIntervalSince1970), .text(decision.reason),
                .text(decision.edit), .text(id), .real(now.timeIntervalSince1970), .text(decision.reviewer),
            ]
        )
    }

    static func delivered(id: String, at: Date) -> StoredQuery {
        StoredQuery(
            sql: "UPDATE reviews SET delivered_at = ? WHERE id = ? AND verdict IS NOT NULL AND delivered_at IS NULL RETURNING *",
            values: [.real(at.timeIntervalSince1970), .text(id)]
        )
    }

    static func overdue(now: Date, limit: Int) -> StoredQuery {
        StoredQuery(
            sql: "SELECT * FROM reviews WHERE verdict IS NULL AND escalated_at IS NULL AND due_at <= ? ORDER BY due_at LIMIT ?",
            values: [.real(now.timeIntervalSince1970), .integer(limit)]
        )
    }

    static func escalated(id: String, at: Date) -> StoredQuery {
        StoredQuery(
            sql: "UPDATE reviews SET escalated_at = ? WHERE id = ? AND escalated_at IS NULL RETURNING *",
            values: [.real(at.timeIntervalSince1970), .text(id)]
        )
    }

    static func undelivered(routes: [String], now: Date, limit: Int) -> StoredQuery {
        let places = Array(repeating: "?", count: max(routes.count, 1)).joined(separator: ", ")
        return StoredQuery(
            sql: """
                SELECT * FROM reviews WHERE verdict IS NOT NULL AND delivered_at IS NULL AND kind = 'hold' AND route IN (\(places))
                AND (delivery_lease IS NULL OR delivery_lease <= ?) ORDER BY decided_at LIMIT ?
                """,
            values: (routes.isEmpty ? [.text(nil)] : routes.map { .text($0) }) + [.real(now.timeIntervalSince1970), .integer(limit)]
        )
    }

    static func lease(id: String, until: Date, now: Date) -> StoredQuery {
        StoredQuery(
            sql: """
                UPDATE reviews SET delivery_lease = ? WHERE id = ? AND delivered_at IS NULL AND (delivery_lease IS NULL OR delivery_lease <= ?)
                RETURNING *
                """,
            values: [.real(until.timeIntervalSince1970), .text(id), .real(now.timeIntervalSince1970)]
        )
    }

    /// The review a row holds; `text` and `real` read a column of it by name.
    static func review(text: (String) throws -> String?, real: (String) throws -> Double?) throws -> Review {
        func required<T>(_ value: T?, _ column: String) throws -> T {
            guard let value else { throw KeelError(.internalError, "A stored review lacks its \(column).") }
            return value
        }
        let body = try JSONParser.parse(Array(try required(text("body"), "body").utf8)).objectValue ?? JSONObject()
        var review = Review(
            id: try required(text("id"), "id"),
            kind: Review.Kind(rawValue: try required(text("kind"), "kind")) ?? .hold,
            requestID: try required(text("request_id"), "request id"),
            route: try required(text("route"), "route"),
            team: try text("team"),
            keyID: try text("key_id"),
            tier: body["tier"]?.stringValue.flatMap(RiskTier.init(rawValue:)) ?? .high,
            category: body["category"]?.stringValue,
            reasons: body["reasons"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            request: body["request"]?.objectValue ?? JSONObject(),
            answer: try body["answer"]?.objectValue.map { try ChatCompletion(normalizing: .object($0), fallbackID: "", created: 0) },
            stream: body["stream"]?.boolValue ?? false,
            createdAt: Date(timeIntervalSince1970: try required(real("created_at"), "creation time")),
            dueAt: Date(timeIntervalSince1970: try required(real("due_at"), "due time")),
            contestReason: body["contest_reason"]?.stringValue
        )
        if let reviewer = try text("claimed_by"), let expiry = try real("claim_expires_at") {
            review.claim = Review.Claim(reviewer: reviewer, expiresAt: Date(timeIntervalSince1970: expiry))
        }
        if let verdict = try text("verdict").flatMap(ReviewDecision.Verdict.init(rawValue:)) {
            review.decision = ReviewDecision(
                verdict: verdict,
                reviewer: try text("reviewer") ?? "",
                decidedAt: Date(timeIntervalSince1970: try real("decided_at") ?? 0),
                reason: try text("reason"),
                edit: try text("edit")
            )
        }
        review.escalatedAt = try real("escalated_at").map(Date.init(timeIntervalSince1970:))
        review.deliveredAt = try real("delivered_at").map(Date.init(timeIntervalSince1970:))
        review.deliveryLease = try real("delivery_lease").map(Date.init(timeIntervalSince1970:))
        return review
    }
}
