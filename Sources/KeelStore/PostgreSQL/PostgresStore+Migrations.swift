import Foundation
import KeelCore
import PostgresNIO

extension PostgresStore: SchemaStore {
    /// The schema's versions, in order; each applied once, in a transaction of its own, under a lock
    /// that lets replicas starting together take turns.
    static let migrationList: [(name: String, sql: [String])] = [
        (
            "v1: keys, request log, workflows, idempotency, replicas, budgets, rate limits, sessions",
            [
                """
                CREATE TABLE api_keys (
                    id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, prefix TEXT NOT NULL, hash TEXT NOT NULL UNIQUE,
                    team TEXT, created_at DOUBLE PRECISION NOT NULL, revoked_at DOUBLE PRECISION, expires_at DOUBLE PRECISION
                )
                """,
                """
                CREATE TABLE requests (
                    id TEXT PRIMARY KEY, started_at DOUBLE PRECISION NOT NULL, operation TEXT NOT NULL, key_id TEXT, team TEXT,
                    requested_model TEXT, route TEXT, model TEXT, provider TEXT, stream BOOLEAN NOT NULL, status INTEGER NOT NULL,
                    error_code TEXT, error_message TEXT, duration_ms DOUBLE PRECISION NOT NULL, upstream_ms DOUBLE PRECISION,
                    ttft_ms DOUBLE PRECISION, input_tokens BIGINT, output_tokens BIGINT, cached_input_tokens BIGINT,
                    cost_picodollars BIGINT, usage_estimated BOOLEAN NOT NULL DEFAULT FALSE, retry_cost_picodollars BIGINT,
                    prompt_tokens BIGINT, degraded TEXT, replay_of TEXT, workflow_id TEXT, request_body TEXT, response_body TEXT
                )
                """,
                "CREATE INDEX requests_started_at ON requests (started_at, id)",
                "CREATE INDEX requests_route ON requests (route, started_at)",
                "CREATE INDEX requests_key ON requests (key_id, started_at)",
                "CREATE INDEX requests_team ON requests (team, started_at)",
                """
                CREATE TABLE attempts (
                    request_id TEXT NOT NULL REFERENCES requests (id) ON DELETE CASCADE, number INTEGER NOT NULL,
                    provider TEXT NOT NULL, model TEXT NOT NULL, start_offset_ms DOUBLE PRECISION NOT NULL,
                    duration_ms DOUBLE PRECISION NOT NULL, upstream_status INTEGER, error TEXT, PRIMARY KEY (request_id, number)
                )
                """,
                """
                CREATE TABLE workflows (
                    key_id TEXT NOT NULL, id TEXT NOT NULL, team TEXT, route TEXT, status TEXT NOT NULL,
                    created_at DOUBLE PRECISION NOT NULL, updated_at DOUBLE PRECISION NOT NULL, steps INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (key_id, id)
                )
                """,
                "CREATE INDEX workflows_updated_at ON workflows (updated_at)",
                "CREATE INDEX workflows_created_at ON workflows (created_at)",
                "CREATE INDEX workflows_id ON workflows (id)",
                "CREATE INDEX workflows_team ON workflows (team, updated_at)",
                """
                CREATE TABLE workflow_steps (
                    key_id TEXT NOT NULL, workflow_id TEXT NOT NULL, number INTEGER NOT NULL, request_id TEXT NOT NULL,
                    idempotency_key TEXT, status TEXT NOT NULL, input TEXT NOT NULL, input_digest TEXT NOT NULL, output TEXT,
                    input_tokens BIGINT, output_tokens BIGINT, cost_picodollars BIGINT, attempts INTEGER NOT NULL DEFAULT 0,
                    compaction TEXT, dropped_steps INTEGER, tokens_saved BIGINT, compaction_cost_picodollars BIGINT,
                    error_code TEXT, started_at DOUBLE PRECISION NOT NULL, finished_at DOUBLE PRECISION, replica TEXT,
                    PRIMARY KEY (key_id, workflow_id, number), FOREIGN KEY (key_id, workflow_id) REFERENCES workflows (key_id, id)
                )
                """,
                "CREATE INDEX workflow_steps_running ON workflow_steps (replica) WHERE status = 'running'",
                """
                CREATE TABLE workflow_summaries (
                    key_id TEXT NOT NULL, workflow_id TEXT NOT NULL, through_step INTEGER NOT NULL, summary TEXT NOT NULL,
                    created_at DOUBLE PRECISION NOT NULL, PRIMARY KEY (key_id, workflow_id, through_step),
                    FOREIGN KEY (key_id, workflow_id) REFERENCES workflows (key_id, id)
                )
                """,
                """
                CREATE TABLE idempotency_keys (
                    scope TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, status TEXT NOT NULL, request_id TEXT NOT NULL,
                    response TEXT, created_at DOUBLE PRECISION NOT NULL, expires_at DOUBLE PRECISION NOT NULL, replica TEXT,
                    PRIMARY KEY (scope, key)
                )
                """,
                "CREATE INDEX idempotency_keys_running ON idempotency_keys (replica) WHERE status = 'running'",
                """
                CREATE TABLE replicas (
                    id TEXT PRIMARY KEY, host TEXT NOT NULL, process_id INTEGER NOT NULL, started_at DOUBLE PRECISION NOT NULL,
                    expires_at DOUBLE PRECISION NOT NULL
                )
                """,
                """
                CREATE TABLE budget_accounts (
                    budget TEXT NOT NULL, window_start DOUBLE PRECISION NOT NULL, settled_picodollars BIGINT NOT NULL,
                    reserved_picodollars BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (budget, window_start)
                )
                """,
                """
                CREATE TABLE budget_reservations (
                    id TEXT PRIMARY KEY, replica TEXT NOT NULL, amount_picodollars BIGINT NOT NULL, accounts TEXT NOT NULL,
                    created_at DOUBLE PRECISION NOT NULL
                )
                """,
                "CREATE INDEX budget_reservations_replica ON budget_reservations (replica)",
                """
                CREATE TABLE rate_usage (
                    key_id TEXT NOT NULL, replica TEXT NOT NULL, requests BIGINT NOT NULL, tokens BIGINT NOT NULL,
                    updated_at DOUBLE PRECISION NOT NULL, PRIMARY KEY (key_id, replica)
                )
                """,
                """
                CREATE TABLE dashboard_sessions (
                    hash TEXT PRIMARY KEY, key_id TEXT NOT NULL, created_at DOUBLE PRECISION NOT NULL,
                    expires_at DOUBLE PRECISION NOT NULL
                )
                """,
                "CREATE INDEX dashboard_sessions_key ON dashboard_sessions (key_id)",
            ]
        ),
        (
            // A foreign key checks every attempt row a trigger at a time: a fifth of the log's ingest.
            // Whatever deletes requests deletes their attempts itself.
            "v2: attempts without a foreign key, for the log's ingest",
            ["ALTER TABLE attempts DROP CONSTRAINT IF EXISTS attempts_request_id_fkey"]
        ),
        (
            // A reservation and a settlement each in one round trip: the accounts' rows stay locked
            // for the function's microseconds, not for five statements' round trips.
            "v3: budget reservations and settlements as functions",
            [
                """
                CREATE FUNCTION keel_reserve(
                    reservation TEXT, replica TEXT, amount BIGINT, budgets TEXT[], windows DOUBLE PRECISION[], limits BIGINT[],
                    accounts TEXT, now DOUBLE PRECISION
                ) RETURNS TABLE (refused_index INTEGER, settled BIGINT, reserved BIGINT) LANGUAGE plpgsql AS $$
                DECLARE
                    i INTEGER;
                    found_settled BIGINT;
                    found_reserved BIGINT;
                BEGIN
                    -- Locked in one order, so that two reservations never deadlock.
                    PERFORM 1 FROM budget_accounts a JOIN unnest(budgets, windows) AS u (budget, window_start)
                        ON a.budget = u.budget AND a.window_start = u.window_start
                        ORDER BY a.budget, a.window_start FOR UPDATE OF a;
                    FOR i IN 1 .. cardinality(budgets) LOOP
                        SELECT a.settled_picodollars, a.reserved_picodollars INTO found_settled, found_reserved
                            FROM budget_accounts a WHERE a.budget = budgets[i] AND a.window_start = windows[i];
                        found_settled := COALESCE(found_settled, 0);
                        found_reserved := COALESCE(found_reserved, 0);
                        IF found_settled::NUMERIC + found_reserved + amount > limits[i] THEN
                            RETURN QUERY SELECT i - 1, found_settled, found_reserved;
                            RETURN;
                        END IF;
                    END LOOP;
                    FOR i IN 1 .. cardinality(budgets) LOOP
                        UPDATE budget_accounts a SET reserved_picodollars = a.reserved_picodollars + amount
                            WHERE a.budget = budgets[i] AND a.window_start = windows[i];
                    END LOOP;
                    INSERT INTO budget_reservations (id, replica, amount_picodollars, accounts, created_at)
                        VALUES (reservation, replica, amount, accounts, now);
                    RETURN QUERY SELECT NULL::INTEGER, COALESCE(a.settled_picodollars, 0), COALESCE(a.reserved_picodollars, amount)
                        FROM unnest(budgets, windows) WITH ORDINALITY AS u (budget, window_start, position)
                        LEFT JOIN budget_accounts a ON a.budget = u.budget AND a.window_start = u.window_start
                        ORDER BY u.position;
                END
                $$
                """,
                """
                CREATE FUNCTION keel_settle(reservation TEXT, cost BIGINT)
                RETURNS TABLE (settled BIGINT, reserved BIGINT) LANGUAGE plpgsql AS $$
                DECLARE
                    taken BIGINT;
                    held TEXT;
                BEGIN
                    DELETE FROM budget_reservations r WHERE r.id = reservation RETURNING r.amount_picodollars, r.accounts INTO taken, held;
                    IF NOT FOUND THEN
                        RETURN;
                    END IF;
                    RETURN QUERY WITH held_accounts AS (
                        SELECT pair ->> 0 AS budget, (pair ->> 1)::DOUBLE PRECISION AS window_start, position
                        FROM json_array_elements(held::JSON) WITH ORDINALITY AS e (pair, position)
                    ), updated AS (
                        UPDATE budget_accounts a
                        SET reserved_picodollars = a.reserved_picodollars - taken, settled_picodollars = a.settled_picodollars + cost
                        FROM held_accounts h WHERE a.budget = h.budget AND a.window_start = h.window_start
                        RETURNING h.position, a.settled_picodollars, a.reserved_picodollars
                    )
                    SELECT u.settled_picodollars, u.reserved_picodollars FROM updated u ORDER BY u.position;
                END
                $$
                """,
            ]
        ),
        (
            "v4: the prompt registry, and each request's prompt",
            RegistrySchema.postgres(RegistrySchema.prompts) + ["ALTER TABLE requests ADD COLUMN prompt_name TEXT, ADD COLUMN prompt_version INTEGER"]
        ),
        ("v5: datasets", RegistrySchema.postgres(RegistrySchema.datasets)),
        (
            "v6: evaluation runs and feedback, and evaluation traffic marked in the log",
            RegistrySchema.postgres(EvaluationSchema.tables) + [EvaluationSchema.requestColumn]
        ),
        ("v7: drift windows and judgements", RegistrySchema.postgres(DriftSchema.tables)),
        ("v8: finish reasons, metadata and content signals in the log", DriftSchema.requestColumns),
        (
            "v9: quarantined requests, dedupe keys, and each request's risk tier",
            RegistrySchema.postgres(QuarantineRows.tables) + QuarantineRows.requestColumns
        ),
        ("v10: the review queue", RegistrySchema.postgres(ReviewRows.tables)),
        ("v11: the audit trail", RegistrySchema.postgres(AuditRows.tables)),
        ("v12: each request's redactions and data subject", PrivacyRows.requestColumns),
        (
            "v13: the Responses API's kept responses, the API each request called, the audit trail by kind",
            RegistrySchema.postgres(ResponseRows.tables) + ResponseRows.requestColumns + [AuditRows.kindIndex]
        ),
    ]

    /// Applies the migrations the database lacks, in one transaction: all or none.
    func migrate() async throws {
        try await transaction { connection in
            // One replica at a time, from the first statement on (`CREATE TABLE IF NOT EXISTS` is
            // not safe against a concurrent one): the others wait here, then find nothing to do.
            try await connection.execute("SELECT pg_advisory_xact_lock(7301265)", logger: logger)
            try await connection.execute(
                "CREATE TABLE IF NOT EXISTS keel_migrations (name TEXT PRIMARY KEY, applied_at DOUBLE PRECISION NOT NULL)",
                logger: logger
            )
            let applied = Set(
                try await connection.rows("SELECT name FROM keel_migrations", logger: logger).map { try $0.value("name", as: String.self) }
            )
            for migration in Self.migrationList where !applied.contains(migration.name) {
                for statement in migration.sql { try await connection.execute(PostgresStatement(statement), logger: logger) }
                try await connection.execute(
                    .with("INSERT INTO keel_migrations (name, applied_at) VALUES (?, ?)", [migration.name, Date().timeIntervalSince1970]),
                    logger: logger
                )
            }
        }
    }

    public func migrations() async throws -> [SchemaMigration] {
        var applied: [String: Date] = [:]
        for row in try await rows("SELECT name, applied_at FROM keel_migrations") {
            applied[try row.value("name")] = try row.date("applied_at")
        }
        return Self.migrationList.map { SchemaMigration(name: $0.name, applied: applied[$0.name] != nil, appliedAt: applied[$0.name]) }
    }
}
