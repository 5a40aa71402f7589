import Foundation
import GRDB
import KeelCore

/// Keel's embedded storage: one SQLite file in WAL mode, so readers never wait for the writer.
public final class SQLiteStore: Sendable {
    let pool: DatabasePool

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    public init(path: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = Configuration()
        // The CLI (keys, logs) and a running server share the file.
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // What retention and subject deletion remove is overwritten in the file, not left in free pages.
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        self.pool = try Self.exclusively(lockingBeside: path) {
            let pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(pool)
            return pool
        }
    }

    /// Runs `body` (opening and migrating the database at `path`) holding an exclusive lock on a
    /// file beside it: creating a new file switches it to WAL, and GRDB's migrator reads which
    /// migrations are applied before it takes SQLite's write lock, so two processes opening a new
    /// file at once (replicas, or a server and `keel keys create`) would trip over each other. The
    /// lock file stays: removing it would let a waiting process and a newcomer both in.
    private static func exclusively<T>(lockingBeside path: String, _ body: () throws -> T) throws -> T {
        let descriptor = Glibc.open(path + "-lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: keys and request log") { db in
            try db.execute(
                sql: """
                    CREATE TABLE api_keys (
                        id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, prefix TEXT NOT NULL,
                        hash TEXT NOT NULL UNIQUE, created_at DOUBLE NOT NULL, revoked_at DOUBLE
                    );
                    CREATE TABLE requests (
                        id TEXT PRIMARY KEY, started_at DOUBLE NOT NULL, operation TEXT NOT NULL, key_id TEXT,
                        requested_model TEXT, route TEXT, model TEXT, provider TEXT, stream BOOLEAN NOT NULL,
                        status INTEGER NOT NULL, error_code TEXT, error_message TEXT, duration_ms DOUBLE NOT NULL,
                        upstream_ms DOUBLE, ttft_ms DOUBLE, input_tokens INTEGER, output_tokens INTEGER,
                        cached_input_tokens INTEGER, cost_picodollars INTEGER, request_body TEXT, response_body TEXT
                    );
                    CREATE INDEX requests_started_at ON requests (started_at, id);
                    CREATE INDEX requests_route ON requests (route, started_at);
                    CREATE INDEX requests_key ON requests (key_id, started_at);
                    CREATE TABLE attempts (
                        request_id TEXT NOT NULL REFERENCES requests (id) ON DELETE CASCADE, number INTEGER NOT NULL,
                        provider TEXT NOT NULL, model TEXT NOT NULL, start_offset_ms DOUBLE NOT NULL, duration_ms DOUBLE NOT NULL,
                        upstream_status INTEGER, error TEXT, PRIMARY KEY (request_id, number)
                    );
                    """
            )
        }
        migrator.registerMigration("v2: prompt tokens and degraded answers") { db in
            try db.execute(
                sql: """
                    ALTER TABLE requests ADD COLUMN prompt_tokens INTEGER;
                    ALTER TABLE requests ADD COLUMN degraded TEXT;
                    """
            )
        }
        migrator.registerMigration("v3: teams") { db in
            try db.execute(sql: "ALTER TABLE api_keys ADD COLUMN team TEXT")
        }
        migrator.registerMigration("v4: cost by team, estimated usage, retry cost") { db in
            try db.execute(
                sql: """
                    ALTER TABLE requests ADD COLUMN team TEXT;
                    ALTER TABLE requests ADD COLUMN usage_estimated BOOLEAN NOT NULL DEFAULT 0;
                    ALTER TABLE requests ADD COLUMN retry_cost_picodollars INTEGER;
                    CREATE INDEX requests_team ON requests (team, started_at);
                    """
            )
        }
        migrator.registerMigration("v5: workflows and idempotency keys") { db in
            try db.execute(
                sql: """
                    ALTER TABLE requests ADD COLUMN replay_of TEXT;
                    ALTER TABLE requests ADD COLUMN workflow_id TEXT;
                    CREATE TABLE workflows (
                        id TEXT PRIMARY KEY, key_id TEXT, route TEXT, status TEXT NOT NULL,
                        created_at DOUBLE NOT NULL, updated_at DOUBLE NOT NULL
                    );
                    CREATE INDEX workflows_updated_at ON workflows (updated_at);
                    CREATE TABLE workflow_steps (
                        workflow_id TEXT NOT NULL REFERENCES workflows (id), number INTEGER NOT NULL, request_id TEXT NOT NULL,
                        idempotency_key TEXT, status TEXT NOT NULL, input TEXT NOT NULL, input_digest TEXT NOT NULL, output TEXT,
                        input_tokens INTEGER, output_tokens INTEGER, cost_picodollars INTEGER, attempts INTEGER NOT NULL DEFAULT 0,
                        compaction TEXT, dropped_steps INTEGER, tokens_saved INTEGER, compaction_cost_picodollars INTEGER,
                        error_code TEXT, started_at DOUBLE NOT NULL, finished_at DOUBLE,
                        PRIMARY KEY (workflow_id, number)
                    );
                    CREATE INDEX workflow_steps_running ON workflow_steps (status) WHERE status = 'running';
                    CREATE TABLE workflow_summaries (
                        workflow_id TEXT NOT NULL REFERENCES workflows (id), through_step INTEGER NOT NULL, summary TEXT NOT NULL,
                        created_at DOUBLE NOT NULL, PRIMARY KEY (workflow_id, through_step)
                    );
                    CREATE TABLE idempotency_keys (
                        scope TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, status TEXT NOT NULL, request_id TEXT NOT NULL,
                        response TEXT, created_at DOUBLE NOT NULL, expires_at DOUBLE NOT NULL, PRIMARY KEY (scope, key)
                    );
                    """
            )
        }
        migrator.registerMigration("v6: workflow reports") { db in
            try db.execute(sql: "CREATE INDEX workflows_created_at ON workflows (created_at)")
        }
        migrator.registerMigration("v7: workflows named within their API key") { db in
            // A workflow's id is its client's name for it within the key that started it: two keys
            // sending the same id have two workflows. Rebuilt tables, since SQLite cannot change a key.
            try db.execute(
                sql: """
                    CREATE TABLE workflows_v7 (
                        key_id TEXT NOT NULL, id TEXT NOT NULL, route TEXT, status TEXT NOT NULL,
                        created_at DOUBLE NOT NULL, updated_at DOUBLE NOT NULL, PRIMARY KEY (key_id, id)
                    );
                    INSERT INTO workflows_v7 SELECT COALESCE(key_id, ''), id, route, status, created_at, updated_at FROM workflows;
                    CREATE TABLE workflow_steps_v7 (
                        key_id TEXT NOT NULL, workflow_id TEXT NOT NULL, number INTEGER NOT NULL, request_id TEXT NOT NULL,
                        idempotency_key TEXT, status TEXT NOT NULL, input TEXT NOT NULL, input_digest TEXT NOT NULL, output TEXT,
                        input_tokens INTEGER, output_tokens INTEGER, cost_picodollars INTEGER, attempts INTEGER NOT NULL DEFAULT 0,
                        compaction TEXT, dropped_steps INTEGER, tokens_saved INTEGER, compaction_cost_picodollars INTEGER,
                        error_code TEXT, started_at DOUBLE NOT NULL, finished_at DOUBLE,
                        PRIMARY KEY (key_id, workflow_id, number), FOREIGN KEY (key_id, workflow_id) REFERENCES workflows_v7 (key_id, id)
                    );
                    INSERT INTO workflow_steps_v7 SELECT COALESCE(w.key_id, ''), s.workflow_id, s.number, s.request_id, s.idempotency_key,
                        s.status, s.input, s.input_digest, s.output, s.input_tokens, s.output_tokens, s.cost_picodollars, s.attempts,
                        s.compaction, s.dropped_steps, s.tokens_saved, s.compaction_cost_picodollars, s.error_code, s.started_at, s.finished_at
                    FROM workflow_steps s JOIN workflows w ON w.id = s.workflow_id;
                    CREATE TABLE workflow_summaries_v7 (
                        key_id TEXT NOT NULL, workflow_id TEXT NOT NULL, through_step INTEGER NOT NULL, summary TEXT NOT NULL,
                        created_at DOUBLE NOT NULL, PRIMARY KEY (key_id, workflow_id, through_step),
                        FOREIGN KEY (key_id, workflow_id) REFERENCES workflows_v7 (key_id, id)
                    );
                    INSERT INTO workflow_summaries_v7 SELECT COALESCE(w.key_id, ''), m.workflow_id, m.through_step, m.summary, m.created_at
                    FROM workflow_summaries m JOIN workflows w ON w.id = m.workflow_id;
                    DROP TABLE workflow_summaries;
                    DROP TABLE workflow_steps;
                    DROP TABLE workflows;
                    ALTER TABLE workflows_v7 RENAME TO workflows;
                    ALTER TABLE workflow_steps_v7 RENAME TO workflow_steps;
                    ALTER TABLE workflow_summaries_v7 RENAME TO workflow_summaries;
                    CREATE INDEX workflows_updated_at ON workflows (updated_at);
                    CREATE INDEX workflows_created_at ON workflows (created_at);
                    CREATE INDEX workflows_id ON workflows (id);
                    CREATE INDEX workflow_steps_running ON workflow_steps (status) WHERE status = 'running';
                    """
            )
        }
        migrator.registerMigration("v8: replicas, shared budgets and rate limits, sessions, tenants") { db in
            try db.execute(
                sql: """
                    ALTER TABLE api_keys ADD COLUMN expires_at DOUBLE;
                    ALTER TABLE workflows ADD COLUMN team TEXT;
                    UPDATE workflows SET team = (SELECT team FROM api_keys WHERE api_keys.id = workflows.key_id);
                    CREATE INDEX workflows_team ON workflows (team, updated_at);
                    ALTER TABLE workflow_steps ADD COLUMN replica TEXT;
                    ALTER TABLE idempotency_keys ADD COLUMN replica TEXT;
                    CREATE TABLE replicas (
                        id TEXT PRIMARY KEY, host TEXT NOT NULL, process_id INTEGER NOT NULL, started_at DOUBLE NOT NULL,
                        expires_at DOUBLE NOT NULL
                    );
                    CREATE TABLE budget_accounts (
                        budget TEXT NOT NULL, window_start DOUBLE NOT NULL, settled_picodollars INTEGER NOT NULL,
                        reserved_picodollars INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (budget, window_start)
                    );
                    CREATE TABLE budget_reservations (
                        id TEXT PRIMARY KEY, replica TEXT NOT NULL, amount_picodollars INTEGER NOT NULL, accounts TEXT NOT NULL,
                        created_at DOUBLE NOT NULL
                    );
                    CREATE INDEX budget_reservations_replica ON budget_reservations (replica);
                    CREATE TABLE rate_usage (
                        key_id TEXT NOT NULL, replica TEXT NOT NULL, requests INTEGER NOT NULL, tokens INTEGER NOT NULL,
                        updated_at DOUBLE NOT NULL, PRIMARY KEY (key_id, replica)
                    );
                    CREATE TABLE dashboard_sessions (
                        hash TEXT PRIMARY KEY, key_id TEXT NOT NULL, created_at DOUBLE NOT NULL, expires_at DOUBLE NOT NULL
                    );
                    CREATE INDEX dashboard_sessions_key ON dashboard_sessions (key_id);
                    """
            )
        }
        migrator.registerMigration("v9: the prompt registry, and each request's prompt") { db in
            for statement in RegistrySchema.sqlite(RegistrySchema.prompts) { try db.execute(sql: statement) }
            try db.execute(sql: "ALTER TABLE requests ADD COLUMN prompt_name TEXT; ALTER TABLE requests ADD COLUMN prompt_version INTEGER;")
        }
        migrator.registerMigration("v10: datasets") { db in
            for statement in RegistrySchema.sqlite(RegistrySchema.datasets) { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v11: evaluation runs and feedback, and evaluation traffic marked in the log") { db in
            for statement in RegistrySchema.sqlite(EvaluationSchema.tables) + [EvaluationSchema.requestColumn] { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v12: drift windows and judgements") { db in
            for statement in RegistrySchema.sqlite(DriftSchema.tables) { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v13: finish reasons, metadata and content signals in the log") { db in
            for statement in DriftSchema.requestColumns { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v14: quarantined requests, dedupe keys, and each request's risk tier") { db in
            for statement in RegistrySchema.sqlite(QuarantineRows.tables) + QuarantineRows.requestColumns { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v15: the review queue") { db in
            for statement in RegistrySchema.sqlite(ReviewRows.tables) { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v16: the audit trail") { db in
            for statement in RegistrySchema.sqlite(AuditRows.tables) { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v17: each request's redactions and data subject") { db in
            for statement in PrivacyRows.requestColumns { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v18: the Responses API's kept responses, the API each request called, the audit trail by kind") { db in
            for statement in RegistrySchema.sqlite(ResponseRows.tables) + ResponseRows.requestColumns + [AuditRows.kindIndex] {
                try db.execute(sql: statement)
            }
        }
        return migrator
    }
}

extension SQLiteStore: SchemaStore {
    public func migrations() async throws -> [SchemaMigration] {
        let applied = try await pool.read { db in try Self.migrator.appliedIdentifiers(db) }
        return Self.migrator.migrations.map { SchemaMigration(name: $0, applied: applied.contains($0)) }
    }
}

extension StatementArguments {
    /// `values` bound with their text ``Swift/String/storable``: for text a client controls.
    static func storable(_ values: [(any DatabaseValueConvertible)?]) -> StatementArguments {
        StatementArguments(values.map { value in (value as? String).map(\.storable) ?? value })
    }
}

extension StoredValue {
    var sqlite: (any DatabaseValueConvertible)? {
        switch self {
        case .text(let value): value
        case .integer(let value): value
        case .real(let value): value
        }
    }
}
