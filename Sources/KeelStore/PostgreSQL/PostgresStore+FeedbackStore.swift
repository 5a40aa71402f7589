import Foundation
import KeelCore
import PostgresNIO

extension PostgresStore: FeedbackStore {
    public func insert(_ feedback: Feedback) async throws {
        try await execute(.with(FeedbackRows.insert, FeedbackRows.values(of: feedback).map(\.postgres)))
    }

    public func feedback(on requestIDs: [String], in scope: TeamScope) async throws -> [Feedback] {
        guard !requestIDs.isEmpty else { return [] }
        var statement = PostgresStatement("SELECT * FROM feedback WHERE request_id = ANY(")
        statement.bind(requestIDs)
        statement.append(")")
        if case .team(let team) = scope {
            statement.append(" AND team = ")
            statement.bind(team ?? "")
        }
        statement.append(" ORDER BY created_at, id")
        return try await rows(statement).map(Self.feedback)
    }

    public func recentFeedback(in scope: TeamScope, limit: Int) async throws -> [Feedback] {
        var statement = PostgresStatement("SELECT * FROM feedback")
        if case .team(let team) = scope {
            statement.append(" WHERE team = ")
            statement.bind(team ?? "")
        }
        statement.append(" ORDER BY created_at DESC, id DESC LIMIT ")
        statement.bind(limit)
        return try await rows(statement).map(Self.feedback)
    }

    public func scores(of prompt: String, since: Date) async throws -> [(version: Int, mean: Double, count: Int)] {
        try await rows(.with(FeedbackRows.scores, [prompt, since.timeIntervalSince1970])).map { row in
            (version: try row.value("version"), mean: try row.value("mean"), count: try row.value("count"))
        }
    }

    private static func feedback(_ row: PostgresRandomAccessRow) throws -> Feedback {
        try FeedbackRows.feedback(
            id: try row.value("id"),
            requestID: try row.value("request_id"),
            team: try row.value("team"),
            keyID: try row.value("key_id"),
            score: try row.value("score"),
            label: try row.value("label"),
            correction: try row.value("correction"),
            comment: try row.value("comment"),
            createdAt: try row.value("created_at")
        )
    }
}
