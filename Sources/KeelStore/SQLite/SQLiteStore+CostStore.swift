import Foundation
import GRDB
import KeelCore

extension SQLiteStore: CostStore {
    public func costs(by grouping: CostReport.Grouping, since: Date, until: Date, in scope: TeamScope) async throws -> [CostReport.Line] {
        let group: String
        switch grouping {
        case .key: group = "COALESCE(k.name, r.key_id)"
        case .team: group = "COALESCE(r.team, k.team)"
        case .route: group = "r.route"
        case .model: group = "r.model"
        case .day: group = "strftime('%Y-%m-%d', r.started_at, 'unixepoch')"
        case .prompt: group = "r.prompt_name || '@' || r.prompt_version"
        }
        let order = grouping == .day ? "grp" : "cost DESC, grp"
        let team = Self.teamFilter(scope, column: "r.team")
        return try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(group) AS grp, COUNT(*) AS requests, COALESCE(SUM(r.input_tokens), 0) AS input,
                        COALESCE(SUM(r.output_tokens), 0) AS output, COALESCE(SUM(r.cost_picodollars), 0) AS cost,
                        COALESCE(SUM(CASE WHEN r.usage_estimated THEN r.cost_picodollars END), 0) AS estimated,
                        COALESCE(SUM(r.retry_cost_picodollars), 0) AS retry
                    FROM requests r LEFT JOIN api_keys k ON k.id = r.key_id
                    WHERE r.started_at >= ? AND r.started_at < ? AND \(team.sql)
                    GROUP BY grp ORDER BY \(order)
                    """,
                arguments: [since.timeIntervalSince1970, until.timeIntervalSince1970] + team.arguments
            )
            .map { row in
                CostReport.Line(
                    group: row["grp"],
                    requests: row["requests"],
                    inputTokens: row["input"],
                    outputTokens: row["output"],
                    cost: Money(picodollars: row["cost"]),
                    estimatedCost: Money(picodollars: row["estimated"]),
                    retryCost: Money(picodollars: row["retry"])
                )
            }
        }
    }

    public func promptSizes(since: Date, until: Date, in scope: TeamScope) async throws -> [PromptSize] {
        let team = Self.teamFilter(scope, column: "team")
        return try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT route, strftime('%Y-%m-%d', started_at, 'unixepoch') AS day, COUNT(*) AS requests, SUM(input_tokens) AS input
                    FROM requests
                    WHERE started_at >= ? AND started_at < ? AND route IS NOT NULL AND input_tokens IS NOT NULL AND \(team.sql)
                    GROUP BY route, day ORDER BY route, day
                    """,
                arguments: [since.timeIntervalSince1970, until.timeIntervalSince1970] + team.arguments
            )
            .map { row in PromptSize(route: row["route"], day: row["day"], requests: row["requests"], inputTokens: row["input"]) }
        }
    }
}
