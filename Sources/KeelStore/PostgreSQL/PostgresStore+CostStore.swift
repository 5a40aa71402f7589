import Foundation
import KeelCore
import PostgresNIO

extension PostgresStore: CostStore {
    public func costs(by grouping: CostReport.Grouping, since: Date, until: Date, in scope: TeamScope) async throws -> [CostReport.Line] {
        let group: String
        switch grouping {
        case .key: group = "COALESCE(k.name, r.key_id)"
        case .team: group = "COALESCE(r.team, k.team)"
        case .route: group = "r.route"
        case .model: group = "r.model"
        case .day: group = "to_char(to_timestamp(r.started_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
        case .prompt: group = "r.prompt_name || '@' || r.prompt_version::TEXT"
        }
        let order = grouping == .day ? "grp" : "cost DESC, grp"
        var statement = PostgresStatement(
            """
            SELECT \(group) AS grp, COUNT(*)::BIGINT AS requests, COALESCE(SUM(r.input_tokens), 0)::BIGINT AS input,
                COALESCE(SUM(r.output_tokens), 0)::BIGINT AS output, COALESCE(SUM(r.cost_picodollars), 0)::BIGINT AS cost,
                COALESCE(SUM(CASE WHEN r.usage_estimated THEN r.cost_picodollars END), 0)::BIGINT AS estimated,
                COALESCE(SUM(r.retry_cost_picodollars), 0)::BIGINT AS retry
            FROM requests r LEFT JOIN api_keys k ON k.id = r.key_id
            WHERE r.started_at >= $1 AND r.started_at < $2 AND
            """
        )
        statement.binds.append(since.timeIntervalSince1970)
        statement.binds.append(until.timeIntervalSince1970)
        statement.append(" ")
        statement.team(scope, column: "r.team")
        statement.append(" GROUP BY grp ORDER BY \(order) NULLS FIRST")
        return try await rows(statement).map { row in
            CostReport.Line(
                group: try row.value("grp"),
                requests: Int(try row.value("requests", as: Int64.self)),
                inputTokens: Int(try row.value("input", as: Int64.self)),
                outputTokens: Int(try row.value("output", as: Int64.self)),
                cost: try row.money("cost"),
                estimatedCost: try row.money("estimated"),
                retryCost: try row.money("retry")
            )
        }
    }

    public func promptSizes(since: Date, until: Date, in scope: TeamScope) async throws -> [PromptSize] {
        var statement = PostgresStatement(
            """
            SELECT route, to_char(to_timestamp(started_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, COUNT(*)::BIGINT AS requests,
                SUM(input_tokens)::BIGINT AS input
            FROM requests
            WHERE started_at >= $1 AND started_at < $2 AND route IS NOT NULL AND input_tokens IS NOT NULL AND
            """
        )
        statement.binds.append(since.timeIntervalSince1970)
        statement.binds.append(until.timeIntervalSince1970)
        statement.append(" ")
        statement.team(scope, column: "team")
        statement.append(" GROUP BY route, day ORDER BY route, day")
        return try await rows(statement).map { row in
            PromptSize(
                route: try row.value("route"),
                day: try row.value("day"),
                requests: Int(try row.value("requests", as: Int64.self)),
                inputTokens: Int(try row.value("input", as: Int64.self))
            )
        }
    }
}
