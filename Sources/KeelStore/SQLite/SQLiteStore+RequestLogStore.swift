import Foundation
import GRDB
import KeelCore

extension SQLiteStore: RequestLogStore {
    public func append(_ records: [RequestRecord]) async throws {
        guard !records.isEmpty else { return }
        try await pool.write { db in
            let request = try db.cachedStatement(
                sql: """
                    INSERT INTO requests (
                        id, started_at, operation, key_id, requested_model, route, model, provider, stream, status, error_code,
                        error_message, duration_ms, upstream_ms, ttft_ms, input_tokens, output_tokens, cached_input_tokens,
                        cost_picodollars, prompt_tokens, degraded, request_body, response_body, team, usage_estimated, retry_cost_picodollars,
                        replay_of, workflow_id, prompt_name, prompt_version, evaluation_run, finish_reasons, metadata, input_script, refusal,
                        answer_json, risk_tier, redactions, subject, api
                    ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            )
            let attempt = try db.cachedStatement(
                sql: """
                    INSERT INTO attempts (
                        request_id, number, provider, model, start_offset_ms, duration_ms, upstream_status, error
                    ) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """
            )
            for record in records {
                try request.execute(
                    arguments: .storable([
                        record.id, record.startedAt.timeIntervalSince1970, record.operation, record.keyID, record.requestedModel, record.route,
                        record.model, record.provider, record.stream, record.status, record.errorCode, record.errorMessage, record.durationMs,
                        record.upstreamMs, record.timeToFirstTokenMs, record.inputTokens, record.outputTokens, record.cachedInputTokens,
                        record.cost?.picodollars, record.promptTokens, record.degraded, record.requestBody, record.responseBody, record.team,
                        record.usageEstimated, record.retryCost?.picodollars, record.replayOf, record.workflowID, record.promptName,
                        record.promptVersion, record.evaluationRun, record.storedFinishReasons, record.storedMetadata,
                        record.signals?.inputScript?.rawValue, record.signals?.refusal, record.signals?.answerJSON, record.riskTier?.rawValue,
                        record.storedRedactions, record.subject, record.api?.rawValue,
                    ])
                )
                for item in record.attempts {
                    try attempt.execute(
                        arguments: .storable([
                            record.id, item.number, item.provider, item.model, item.startOffsetMs, item.durationMs, item.upstreamStatus, item.error,
                        ])
                    )
                }
            }
        }
    }

    public func spend(since: Date, keyIDs: [String]?, route: String?) async throws -> Money {
        try await pool.read { db in
            var conditions = ["started_at >= ?"]
            var arguments: StatementArguments = [since.timeIntervalSince1970]
            if let keyIDs {
                guard !keyIDs.isEmpty else { return .zero }
                conditions.append("key_id IN (\(Array(repeating: "?", count: keyIDs.count).joined(separator: ",")))")
                arguments += StatementArguments(keyIDs)
            }
            if let route {
                conditions.append("route = ?")
                arguments += [route]
            }
            let sql = "SELECT COALESCE(SUM(cost_picodollars), 0) FROM requests WHERE " + conditions.joined(separator: " AND ")
            return Money(picodollars: try Int64.fetchOne(db, sql: sql, arguments: arguments) ?? 0)
        }
    }

    public func requests(matching query: RequestQuery) async throws -> [RequestRecord] {
        try await pool.read { db in
            let team = Self.teamFilter(query.scope, column: "team")
            var conditions = [team.sql]
            var arguments = team.arguments
            if let id = query.id {
                conditions.append("id = ?")
                arguments += [id]
            }
            if let route = query.route {
                conditions.append("route = ?")
                arguments += [route]
            }
            if let keyID = query.keyID {
                conditions.append("key_id = ?")
                arguments += [keyID]
            }
            if let run = query.evaluationRun {
                conditions.append("evaluation_run = ?")
                arguments += [run]
            }
            if let status = query.status {
                conditions.append("status = ?")
                arguments += [status]
            }
            if query.failedOnly { conditions.append("(status >= 400 OR error_code IS NOT NULL)") }
            if let since = query.since {
                conditions.append("started_at >= ?")
                arguments += [since.timeIntervalSince1970]
            }
            if let before = query.before {
                conditions.append("(started_at, id) < (SELECT started_at, id FROM requests WHERE id = ?)")
                arguments += [before]
            }
            let filter = "WHERE " + conditions.joined(separator: " AND ")
            arguments += [query.limit]
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT * FROM requests \(filter) ORDER BY started_at DESC, id DESC LIMIT ?",
                arguments: arguments
            )
            let ids = rows.map { $0["id"] as String }
            var attempts: [String: [AttemptRecord]] = [:]
            if !ids.isEmpty {
                let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ",")
                let attemptRows = try Row.fetchAll(
                    db,
                    sql: "SELECT * FROM attempts WHERE request_id IN (\(placeholders)) ORDER BY request_id, number",
                    arguments: StatementArguments(ids)
                )
                for row in attemptRows {
                    attempts[row["request_id"], default: []].append(
                        AttemptRecord(
                            number: row["number"],
                            provider: row["provider"],
                            model: row["model"],
                            startOffsetMs: row["start_offset_ms"],
                            durationMs: row["duration_ms"],
                            upstreamStatus: row["upstream_status"],
                            error: row["error"]
                        )
                    )
                }
            }
            return rows.map { row in
                var record = RequestRecord(
                    id: row["id"],
                    startedAt: Date(timeIntervalSince1970: row["started_at"]),
                    operation: row["operation"],
                    keyID: row["key_id"],
                    team: row["team"],
                    requestedModel: row["requested_model"],
                    route: row["route"],
                    model: row["model"],
                    provider: row["provider"],
                    stream: row["stream"],
                    status: row["status"],
                    errorCode: row["error_code"],
                    errorMessage: row["error_message"],
                    durationMs: row["duration_ms"],
                    upstreamMs: row["upstream_ms"],
                    timeToFirstTokenMs: row["ttft_ms"],
                    inputTokens: row["input_tokens"],
                    outputTokens: row["output_tokens"],
                    cachedInputTokens: row["cached_input_tokens"],
                    cost: (row["cost_picodollars"] as Int64?).map(Money.init(picodollars:)),
                    usageEstimated: row["usage_estimated"],
                    retryCost: (row["retry_cost_picodollars"] as Int64?).map(Money.init(picodollars:)),
                    promptTokens: row["prompt_tokens"],
                    degraded: row["degraded"],
                    replayOf: row["replay_of"],
                    workflowID: row["workflow_id"],
                    requestBody: row["request_body"],
                    responseBody: row["response_body"],
                    attempts: attempts[row["id"]] ?? []
                )
                record.promptName = row["prompt_name"]
                record.promptVersion = row["prompt_version"]
                record.evaluationRun = row["evaluation_run"]
                record.restore(finishReasons: row["finish_reasons"], metadata: row["metadata"])
                record.restoreSignals(inputScript: row["input_script"], refusal: row["refusal"], answerJSON: row["answer_json"])
                record.riskTier = (row["risk_tier"] as String?).flatMap(RiskTier.init(rawValue:))
                record.restore(redactions: row["redactions"], subject: row["subject"])
                record.api = (row["api"] as String?).flatMap(ClientAPI.init(rawValue:))
                return record
            }
        }
    }
}

extension SQLiteStore: TrafficStore {
    public func trafficSamples(since: Date, until: Date, in scope: TeamScope) async throws -> [TrafficSample] {
        try await pool.read { db in
            let team = Self.teamFilter(scope, column: "team")
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT started_at, route, duration_ms, status >= 400 OR error_code IS NOT NULL AS failed,
                        COALESCE(input_tokens, 0) + COALESCE(output_tokens, 0) AS tokens, COALESCE(cost_picodollars, 0) AS cost
                    FROM requests WHERE started_at >= ? AND started_at < ? AND \(team.sql)
                    """,
                arguments: [since.timeIntervalSince1970, until.timeIntervalSince1970] + team.arguments
            )
            var samples: [TrafficSample] = []
            while let row = try rows.next() {
                samples.append(
                    TrafficSample(
                        startedAt: Date(timeIntervalSince1970: row[0]),
                        route: row[1],
                        durationMs: row[2],
                        failed: row[3],
                        tokens: row[4],
                        cost: Money(picodollars: row[5])
                    )
                )
            }
            return samples
        }
    }
}
