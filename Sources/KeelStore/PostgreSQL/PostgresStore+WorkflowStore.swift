import Foundation
import KeelCore
import PostgresNIO

extension PostgresStore: WorkflowStore {
    public func workflow(_ ref: WorkflowRef) async throws -> Workflow? {
        try await rows(.with("SELECT * FROM workflows WHERE key_id = ? AND id = ?", [ref.keyID, ref.id])).first.map(Self.workflow(from:))
    }

    public func workflows(id: String?, status: Workflow.Status?, limit: Int, in scope: TeamScope) async throws -> [Workflow] {
        var statement = PostgresStatement("SELECT * FROM workflows WHERE ")
        statement.team(scope, column: "team")
        if let id {
            statement.append(" AND id = ")
            statement.bind(id)
        }
        if let status {
            statement.append(" AND status = ")
            statement.bind(status.rawValue)
        }
        statement.append(" ORDER BY updated_at DESC LIMIT ")
        statement.bind(limit)
        return try await rows(statement).map(Self.workflow(from:))
    }

    public func history(of ref: WorkflowRef) async throws -> (workflow: Workflow, history: WorkflowHistory)? {
        guard let workflow = try await workflow(ref) else { return nil }
        let summary = try await rows(
            .with(
                "SELECT summary, through_step FROM workflow_summaries WHERE key_id = ? AND workflow_id = ? ORDER BY through_step DESC LIMIT 1",
                [ref.keyID, ref.id]
            )
        )
        .first.map { WorkflowHistory.Summary(text: try $0.value("summary"), throughStep: try $0.value("through_step")) }
        var history = WorkflowHistory(summary: summary)
        let steps = try await rows(
            .with(
                "SELECT number, input, output FROM workflow_steps WHERE key_id = ? AND workflow_id = ? AND status = 'completed' ORDER BY number",
                [ref.keyID, ref.id]
            )
        )
        for row in steps {
            let number: Int = try row.value("number")
            let input = try Self.messages(try row.value("input"))
            history.pinned += input.filter(ContextPlan.isPinned)
            guard number > summary?.throughStep ?? 0 else { continue }
            var turn = input.filter { !ContextPlan.isPinned($0) }
            if let output: String = try row.value("output"), let message = try JSONParser.parse(output).objectValue { turn.append(message) }
            history.turns.append(WorkflowHistory.Turn(step: number, messages: turn))
        }
        return (workflow, history)
    }

    public func steps(of ref: WorkflowRef) async throws -> [WorkflowStep] {
        try await rows(.with("SELECT * FROM workflow_steps WHERE key_id = ? AND workflow_id = ? ORDER BY number", [ref.keyID, ref.id])).map { row in
            var step = WorkflowStep(
                workflow: WorkflowRef(keyID: try row.value("key_id"), id: try row.value("workflow_id")),
                number: try row.value("number"),
                requestID: try row.value("request_id"),
                idempotencyKey: try row.value("idempotency_key"),
                status: WorkflowStep.Status(rawValue: try row.value("status")) ?? .failed,
                input: try Self.messages(try row.value("input")),
                output: try (try row.value("output", as: String?.self)).flatMap { try JSONParser.parse($0).objectValue },
                cost: try row.optionalMoney("cost_picodollars"),
                attempts: try row.value("attempts"),
                errorCode: try row.value("error_code"),
                startedAt: try row.date("started_at"),
                finishedAt: try row.optionalDate("finished_at")
            )
            if let input = try row.value("input_tokens", as: Int?.self), let output = try row.value("output_tokens", as: Int?.self) {
                step.usage = TokenUsage(inputTokens: input, outputTokens: output)
            }
            if let strategy = (try row.value("compaction", as: String?.self)).flatMap(ContextStrategy.init(rawValue:)) {
                step.compaction = Compaction(
                    strategy: strategy,
                    droppedSteps: try row.value("dropped_steps", as: Int?.self) ?? 0,
                    tokensSaved: try row.value("tokens_saved", as: Int?.self) ?? 0,
                    cost: Money(picodollars: try row.value("compaction_cost_picodollars", as: Int64?.self) ?? 0)
                )
            }
            return step
        }
    }

    /// The workflow's row counts its steps, so that steps begun at once on two replicas take the
    /// row lock in turn and get distinct numbers.
    public func beginStep(_ step: WorkflowStep, team: String?, route: String, replica: String) async throws -> Int? {
        try await transaction { connection in
            let now = step.startedAt.timeIntervalSince1970
            let ref = step.workflow
            let counted = try await connection.rows(
                .with(
                    """
                    INSERT INTO workflows (key_id, id, team, route, status, created_at, updated_at, steps) VALUES (?, ?, ?, ?, 'open', ?, ?, 1)
                    ON CONFLICT (key_id, id) DO UPDATE SET updated_at = EXCLUDED.updated_at, steps = workflows.steps + 1
                    WHERE workflows.status = 'open'
                    RETURNING steps
                    """,
                    [ref.keyID, ref.id, team, route, now, now]
                ),
                logger: logger
            )
            guard let number: Int = try counted.first?.value("steps") else { return nil }
            try await connection.execute(
                .with(
                    """
                    INSERT INTO workflow_steps (
                        key_id, workflow_id, number, request_id, idempotency_key, status, input, input_digest, compaction, dropped_steps,
                        tokens_saved, compaction_cost_picodollars, started_at, replica
                    ) VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        ref.keyID, ref.id, number, step.requestID, step.idempotencyKey, JSONValue.array(step.input.map(JSONValue.object)).jsonString,
                        step.inputDigest, step.compaction?.strategy.rawValue, step.compaction?.droppedSteps, step.compaction?.tokensSaved,
                        step.compaction?.cost.picodollars, now, replica,
                    ]
                ),
                logger: logger
            )
            return number
        }
    }

    public func finishStep(_ step: WorkflowStep) async throws {
        try await execute(
            .with(
                """
                UPDATE workflow_steps SET status = ?, output = ?, input_tokens = ?, output_tokens = ?, cost_picodollars = ?, attempts = ?,
                    error_code = ?, finished_at = ?
                WHERE key_id = ? AND workflow_id = ? AND number = ?
                """,
                [
                    step.status.rawValue, step.output.map { JSONValue.object($0).jsonString }, step.usage?.inputTokens, step.usage?.outputTokens,
                    step.cost?.picodollars, step.attempts, step.errorCode, step.finishedAt?.timeIntervalSince1970, step.workflow.keyID,
                    step.workflow.id, step.number,
                ]
            )
        )
    }

    public func saveSummary(_ text: String, of ref: WorkflowRef, throughStep: Int, now: Date) async throws {
        try await execute(
            .with(
                """
                INSERT INTO workflow_summaries (key_id, workflow_id, through_step, summary, created_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (key_id, workflow_id, through_step) DO UPDATE SET summary = EXCLUDED.summary, created_at = EXCLUDED.created_at
                """,
                [ref.keyID, ref.id, throughStep, text, now.timeIntervalSince1970]
            )
        )
    }

    public func complete(_ ref: WorkflowRef, now: Date) async throws -> Workflow? {
        try await execute(
            .with(
                "UPDATE workflows SET status = 'completed', updated_at = ? WHERE key_id = ? AND id = ? AND status = 'open'",
                [now.timeIntervalSince1970, ref.keyID, ref.id]
            )
        )
        return try await workflow(ref)
    }

    public func tallies(since: Date, until: Date, in scope: TeamScope) async throws -> [WorkflowTally] {
        var statement = PostgresStatement(
            """
            SELECT w.id, w.route, w.status, w.updated_at, COUNT(s.number)::BIGINT AS steps,
                COUNT(*) FILTER (WHERE s.status IN ('failed', 'interrupted'))::BIGINT AS failed_steps,
                COALESCE(SUM(GREATEST(s.attempts - 1, 0)), 0)::BIGINT AS upstream_retries,
                COUNT(s.compaction)::BIGINT AS compactions, COALESCE(SUM(s.tokens_saved), 0)::BIGINT AS tokens_saved,
                COALESCE(SUM(COALESCE(s.input_tokens, 0) + COALESCE(s.output_tokens, 0)), 0)::BIGINT AS tokens,
                COALESCE(SUM(COALESCE(s.cost_picodollars, 0) + COALESCE(s.compaction_cost_picodollars, 0)), 0)::BIGINT AS cost
            FROM workflows w LEFT JOIN workflow_steps s ON s.key_id = w.key_id AND s.workflow_id = w.id
            WHERE w.created_at >= $1 AND w.created_at < $2 AND
            """
        )
        statement.binds.append(since.timeIntervalSince1970)
        statement.binds.append(until.timeIntervalSince1970)
        statement.append(" ")
        statement.team(scope, column: "w.team")
        statement.append(" GROUP BY w.key_id, w.id")
        return try await rows(statement).map { row in
            WorkflowTally(
                id: try row.value("id"),
                route: try row.value("route"),
                status: Workflow.Status(rawValue: try row.value("status")) ?? .open,
                lastActive: try row.date("updated_at"),
                steps: Int(try row.value("steps", as: Int64.self)),
                failedSteps: Int(try row.value("failed_steps", as: Int64.self)),
                upstreamRetries: Int(try row.value("upstream_retries", as: Int64.self)),
                compactions: Int(try row.value("compactions", as: Int64.self)),
                tokensSaved: Int(try row.value("tokens_saved", as: Int64.self)),
                tokens: Int(try row.value("tokens", as: Int64.self)),
                cost: try row.money("cost")
            )
        }
    }

    public func repeatedInputs(since: Date, until: Date, limit: Int, in scope: TeamScope) async throws -> [RepeatedInput] {
        var statement = PostgresStatement(
            """
            WITH answered AS (
                SELECT w.route, s.input_digest, s.output, s.started_at FROM workflow_steps s
                JOIN workflows w ON w.key_id = s.key_id AND w.id = s.workflow_id
                WHERE s.status = 'completed' AND s.output IS NOT NULL AND w.created_at >= $1 AND w.created_at < $2 AND
            """
        )
        statement.binds.append(since.timeIntervalSince1970)
        statement.binds.append(until.timeIntervalSince1970)
        statement.append(" ")
        statement.team(scope, column: "w.team")
        statement.append(
            """
            ),
            repeated AS (
                SELECT route, input_digest FROM answered GROUP BY route, input_digest HAVING COUNT(*) > 1
                ORDER BY MAX(started_at) DESC LIMIT
            """
        )
        statement.append(" ")
        statement.bind(limit)
        statement.append(
            """
            )
            SELECT answered.route, answered.input_digest, answered.output FROM answered JOIN repeated USING (route, input_digest)
            ORDER BY answered.route NULLS FIRST, answered.input_digest, answered.started_at
            """
        )
        var inputs: [RepeatedInput] = []
        var current: (route: String?, digest: String)?
        for row in try await rows(statement) {
            let route: String? = try row.value("route")
            let digest: String = try row.value("input_digest")
            guard let answer = try JSONParser.parse(try row.value("output", as: String.self)).objectValue else { continue }
            if current?.route != route || current?.digest != digest {
                inputs.append(RepeatedInput(route: route, answers: []))
                current = (route, digest)
            }
            inputs[inputs.count - 1].answers.append(answer)
        }
        return inputs
    }

    public func interruptSteps(of replica: String) async throws -> Int {
        try await rows(
            .with(
                "UPDATE workflow_steps SET status = 'interrupted', error_code = 'interrupted' WHERE status = 'running' AND replica = ? RETURNING number",
                [replica]
            )
        )
        .count
    }

    static func workflow(from row: PostgresRandomAccessRow) throws -> Workflow {
        Workflow(
            id: try row.value("id"),
            keyID: try row.value("key_id"),
            team: try row.value("team"),
            route: try row.value("route"),
            status: Workflow.Status(rawValue: try row.value("status")) ?? .open,
            createdAt: try row.date("created_at"),
            updatedAt: try row.date("updated_at")
        )
    }

    private static func messages(_ text: String) throws -> [JSONObject] {
        (try JSONParser.parse(text).arrayValue ?? []).compactMap(\.objectValue)
    }
}
