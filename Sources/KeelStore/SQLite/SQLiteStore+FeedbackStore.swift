import Foundation
import GRDB
import KeelCore

extension SQLiteStore: FeedbackStore {
    public func insert(_ feedback: Feedback) async throws {
        try await pool.write { db in
            try db.execute(sql: FeedbackRows.insert, arguments: .storable(FeedbackRows.values(of: feedback).map(\.sqlite)))
        }
    }

    public func feedback(on requestIDs: [String], in scope: TeamScope) async throws -> [Feedback] {
        guard !requestIDs.isEmpty else { return [] }
        return try await pool.read { db in
            var sql = "SELECT * FROM feedback WHERE request_id IN (\(Array(repeating: "?", count: requestIDs.count).joined(separator: ", ")))"
            var arguments = StatementArguments(requestIDs)
            if case .team(let team) = scope {
                sql += " AND team = ?"
                arguments += [team ?? ""]
            }
            return try Row.fetchAll(db, sql: sql + " ORDER BY created_at, id", arguments: arguments).map(Self.feedback)
        }
    }

    public func recentFeedback(in scope: TeamScope, limit: Int) async throws -> [Feedback] {
        try await pool.read { db in
            var sql = "SELECT * FROM feedback"
            var arguments: StatementArguments = []
            if case .team(let team) = scope {
                sql += " WHERE team = ?"
                arguments += [team ?? ""]
            }
            return try Row.fetchAll(db, sql: sql + " ORDER BY created_at DESC, id DESC LIMIT ?", arguments: arguments + [limit]).map(Self.feedback)
        }
    }

    public func scores(of prompt: String, since: Date) async throws -> [(version: Int, mean: Double, count: Int)] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: FeedbackRows.scores, arguments: [prompt, since.timeIntervalSince1970]).map { row in
                (version: row["version"], mean: row["mean"], count: row["count"])
            }
        }
    }

    private static func feedback(_ row: Row) throws -> Feedback {
        try FeedbackRows.feedback(
            id: row["id"],
            requestID: row["request_id"],
            team: row["team"],
            keyID: row["key_id"],
            score: row["score"],
            label: row["label"],
            correction: row["correction"],
            comment: row["comment"],
            createdAt: row["created_at"]
        )
    }
}
