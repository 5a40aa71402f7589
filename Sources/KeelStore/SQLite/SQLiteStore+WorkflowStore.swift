import Foundation
import GRDB
import KeelCore

extension SQLiteStore: WorkflowStore {
    public func workflow(_ ref: WorkflowRef) async throws -> Workflow? {
        try await pool.read { db in try Self.workflow(db, ref) }
    }

    public func workflows(id: String?, status: Workflow.Status?, limit: Int, in scope: TeamScope) async throws -> [Workflow] {
        try await pool.read { db in
            let team = Self.teamFilter(scope, column: "team")
            var conditions = [team.sql]
            var arguments = team.arguments
            if let id {
                conditions.append("id = ?")
                arguments += [id]
            }
            if let status {
                conditions.append("status = ?")
                arguments += [status.rawValue]
            }
            arguments += [limit]
            let filter = conditions.joined(separator: " AND ")
            return try Row.fetchAll(db, sql: "SELECT * FROM workflows WHERE \(filter) ORDER BY updated_at DESC LIMIT ?", arguments: arguments)
                .map(Self.workflow(from:))
        }
    }

    public func history(of ref: WorkflowRef) async throws -> (workflow: Workflow, history: WorkflowHistory)? {
        try await pool.read { db in
            guard let workflow = try Self.workflow(db, ref) else { return nil }
            let summary = try Row.fetchOne(
                db,
                sql: """
                    SELECT summary, through_step FROM workflow_summaries WHERE key_id = ? AND workflow_id = ?
                    ORDER BY through_step DESC LIMIT 1
                    """,
                arguments: [ref.keyID, ref.id]
            )
            .map { WorkflowHistory.Summary(text: $0["summary"], throughStep: $0["through_step"]) }
            var history = WorkflowHistory(summary: summary)
            // Pinned messages come from every completed step; turns only from those after the summary.
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT number, input, output FROM workflow_steps WHERE key_id = ? AND workflow_id = ? AND status = 'completed'
                    ORDER BY number
                    """,
                arguments: [ref.keyID, ref.id]
            )
            for row in rows {
                let number: Int = row["number"]
                let input = try Self.messages(row["input"])
                history.pinned += input.filter(ContextPlan.isPinned)
                guard number > summary?.throughStep ?? 0 else { continue }
                var turn = input.filter { !ContextPlan.isPinned($0) }
                if let output: String = row["output"], let message = try JSONParser.parse(output).objectValue { turn.append(message) }
                history.turns.append(WorkflowHistory.Turn(step: number, messages: turn))
            }
            return (workflow, history)
        }
    }

    public func steps(of ref: WorkflowRef) async throws -> [WorkflowStep] {
        try await pool.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT * FROM workflow_steps WHERE key_id = ? AND workflow_id = ? ORDER BY number",
                arguments: [ref.keyID, ref.id]
            )
            return try rows.map { row in
                var step = WorkflowStep(
                    workflow: WorkflowRef(keyID: row["key_id"], id: row["workflow_id"]),
                    number: row["number"],
                    requestID: row["request_id"],
                    idempotencyKey: row["idempotency_key"],
                    status: WorkflowStep.Status(rawValue: row["status"]) ?? .failed,
                    input: try Self.messages(row["input"]),
                    output: try (row["output"] as String?).flatMap { try JSONParser.parse($0).objectValue },
                    cost: (row["cost_picodollars"] as Int64?).map(Money.init(picodollars:)),
                    attempts: row["attempts"],
                    errorCode: row["error_code"],
                    startedAt: Date(timeIntervalSince1970: row["started_at"]),
                    finishedAt: (row["finished_at"] as Double?).map(Date.init(timeIntervalSince1970:))
                )
                if let input: Int = row["input_tokens"], let output: Int = row["output_tokens"] {
                    step.usage = TokenUsage(inputTokens: input, outputTokens: output)
                }
                if let strategy = (row["compaction"] as String?).flatMap(ContextStrategy.init(rawValue:)) {
                    step.compaction = Compaction(
                        strategy: strategy,
                        droppedSteps: row["dropped_steps"] ?? 0,
                        tokensSaved: row["tokens_saved"] ?? 0,
                        cost: Money(picodollars: row["compaction_cost_picodollars"] ?? 0)
                    )
                }
                return step
            }
        }
    }

    public func beginStep(_ step: WorkflowStep, team: String?, route: String, replica: String) async throws -> Int? {
        try await pool.write { db in
            let now = step.startedAt.timeIntervalSince1970
            let ref = step.workflow
            try db.execute(
                sql: """
                    INSERT INTO workflows (key_id, id, team, route, status, created_at, updated_at) VALUES (?, ?, ?, ?, 'open', ?, ?)
                    ON CONFLICT (key_id, id) DO UPDATE SET updated_at = excluded.updated_at WHERE status = 'open'
                    """,
                arguments: [ref.keyID, ref.id, team, route, now, now]
            )
            guard db.changesCount == 1 else { return nil }
            let number =
                try Int.fetchOne(
                    db,
                    sql: "SELECT COALESCE(MAX(number), 0) + 1 FROM workflow_steps WHERE key_id = ? AND workflow_id = ?",
                    arguments: [ref.keyID, ref.id]
                ) ?? 1
            try db.execute(
                sql: """
                    INSERT INTO workflow_steps (
                        key_id, workflow_id, number, request_id, idempotency_key, status, input, input_digest, compaction, dropped_steps,
                        tokens_saved, compaction_cost_picodollars, started_at, replica
                    ) VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    ref.keyID, ref.id, number, step.requestID, step.idempotencyKey, JSONValue.array(step.input.map(JSONValue.object)).jsonString,
                    step.inputDigest, step.compaction?.strategy.rawValue, step.compaction?.droppedSteps, step.compaction?.tokensSaved,
                    step.compaction?.cost.picodollars, step.startedAt.timeIntervalSince1970, replica,
                ]
            )
            return number
        }
    }

    public func finishStep(_ step: WorkflowStep) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE workflow_steps SET status = ?, output = ?, input_tokens = ?, output_tokens = ?, cost_picodollars = ?, attempts = ?,
                        error_code = ?, finished_at = ?
                    WHERE key_id = ? AND workflow_id = ? AND number = ?
                    """,
                arguments: [
                    step.status.rawValue, step.output.map { JSONValue.object($0).jsonString }, step.usage?.inputTokens, step.usage?.outputTokens,
                    step.cost?.picodollars, step.attempts, step.errorCode, step.finishedAt?.timeIntervalSince1970, step.workflow.keyID,
                    step.workflow.id, step.number,
                ]
            )
        }
    }

    public func saveSummary(_ text: String, of ref: WorkflowRef, throughStep: Int, now: Date) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO workflow_summaries (key_id, workflow_id, through_step, summary, created_at) VALUES (?, ?, ?, ?, ?)
                    """,
                arguments: [ref.keyID, ref.id, throughStep, text, now.timeIntervalSince1970]
            )
        }
    }

    public func complete(_ ref: WorkflowRef, now: Date) async throws -> Workflow? {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE workflows SET status = 'completed', updated_at = ? WHERE key_id = ? AND id = ? AND status = 'open'",
                arguments: [now.timeIntervalSince1970, ref.keyID, ref.id]
            )
            return try Self.workflow(db, ref)
        }
    }

    public func tallies(since: Date, until: Date, in scope: TeamScope) async throws -> [WorkflowTally] {
        let team = Self.teamFilter(scope, column: "w.team")
        return try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT w.id, w.route, w.status, w.updated_at, COUNT(s.number) AS steps,
                        COALESCE(SUM(s.status IN ('failed', 'interrupted')), 0) AS failed_steps,
                        COALESCE(SUM(MAX(s.attempts - 1, 0)), 0) AS upstream_retries,
                        COALESCE(SUM(s.compaction IS NOT NULL), 0) AS compactions, COALESCE(SUM(s.tokens_saved), 0) AS tokens_saved,
                        COALESCE(SUM(COALESCE(s.input_tokens, 0) + COALESCE(s.output_tokens, 0)), 0) AS tokens,
                        COALESCE(SUM(COALESCE(s.cost_picodollars, 0) + COALESCE(s.compaction_cost_picodollars, 0)), 0) AS cost
                    FROM workflows w LEFT JOIN workflow_steps s ON s.key_id = w.key_id AND s.workflow_id = w.id
                    WHERE w.created_at >= ? AND w.created_at < ? AND \(team.sql)
                    GROUP BY w.key_id, w.id
                    """,
                arguments: [since.timeIntervalSince1970, until.timeIntervalSince1970] + team.arguments
            )
            .map { row in
                WorkflowTally(
                    id: row["id"],
                    route: row["route"],
                    status: Workflow.Status(rawValue: row["status"]) ?? .open,
                    lastActive: Date(timeIntervalSince1970: row["updated_at"]),
                    steps: row["steps"],
                    failedSteps: row["failed_steps"],
                    upstreamRetries: row["upstream_retries"],
                    compactions: row["compactions"],
                    tokensSaved: row["tokens_saved"],
                    tokens: row["tokens"],
                    cost: Money(picodollars: row["cost"])
                )
            }
        }
    }

    public func repeatedInputs(since: Date, until: Date, limit: Int, in scope: TeamScope) async throws -> [RepeatedInput] {
        let team = Self.teamFilter(scope, column: "w.team")
        return try await pool.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    WITH answered AS (
                        SELECT w.route, s.input_digest, s.output, s.started_at FROM workflow_steps s
                        JOIN workflows w ON w.key_id = s.key_id AND w.id = s.workflow_id
                        WHERE s.status = 'completed' AND s.output IS NOT NULL AND w.created_at >= ? AND w.created_at < ? AND \(team.sql)
                    ),
                    repeated AS (
                        SELECT route, input_digest FROM answered GROUP BY route, input_digest HAVING COUNT(*) > 1
                        ORDER BY MAX(started_at) DESC LIMIT ?
                    )
                    SELECT answered.route, answered.input_digest, answered.output FROM answered JOIN repeated USING (route, input_digest)
                    ORDER BY answered.route, answered.input_digest, answered.started_at
                    """,
                arguments: [since.timeIntervalSince1970, until.timeIntervalSince1970] + team.arguments + [limit]
            )
            var inputs: [RepeatedInput] = []
            var current: (route: String?, digest: String)?
            for row in rows {
                let route: String? = row["route"]
                let digest: String = row["input_digest"]
                guard let answer = try JSONParser.parse(row["output"] as String).objectValue else { continue }
                if current?.route != route || current?.digest != digest {
                    inputs.append(RepeatedInput(route: route, answers: []))
                    current = (route, digest)
                }
                inputs[inputs.count - 1].answers.append(answer)
            }
            return inputs
        }
    }

    public func interruptSteps(of replica: String) async throws -> Int {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE workflow_steps SET status = 'interrupted', error_code = 'interrupted' WHERE status = 'running' AND replica = ?",
                arguments: [replica]
            )
            return db.changesCount
        }
    }

    private static func workflow(_ db: Database, _ ref: WorkflowRef) throws -> Workflow? {
        try Row.fetchOne(db, sql: "SELECT * FROM workflows WHERE key_id = ? AND id = ?", arguments: [ref.keyID, ref.id]).map(workflow(from:))
    }

    private static func workflow(from row: Row) -> Workflow {
        Workflow(
            id: row["id"],
            keyID: row["key_id"],
            team: row["team"],
            route: row["route"],
            status: Workflow.Status(rawValue: row["status"]) ?? .open,
            createdAt: Date(timeIntervalSince1970: row["created_at"]),
            updatedAt: Date(timeIntervalSince1970: row["updated_at"])
        )
    }

    private static func messages(_ text: String) throws -> [JSONObject] {
        (try JSONParser.parse(text).arrayValue ?? []).compactMap(\.objectValue)
    }
}
