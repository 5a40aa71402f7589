import Foundation
import GRDB
import KeelCore
import PostgresNIO

/// Copies a SQLite deployment into an empty PostgreSQL database, table by table and row by row:
/// keys, the request log with its attempts, workflows with their steps and summaries (and the
/// Responses API's kept responses), idempotency keys, replicas' leases, budget accounts and reservations, rate-limit totals and sessions.
public enum StorageCopy {
    /// The tables in an order that satisfies their references.
    static let tables = [
        "api_keys", "requests", "attempts", "workflows", "workflow_steps", "workflow_summaries", "idempotency_keys", "replicas", "budget_accounts",
        "budget_reservations", "rate_usage", "dashboard_sessions", "prompts", "prompt_versions", "prompt_labels", "prompt_events",
        "datasets", "dataset_versions", "dataset_cases", "evaluation_runs", "evaluation_results", "feedback",
        "drift_windows", "drift_judgements", "quarantine", "contract_keys", "reviews", "audit_records", "audit_checkpoints", "responses",
    ]

    /// Copies everything in the SQLite file at `path` into `target`, which must hold no keys and no
    /// requests yet; returns each table's rows, which are checked to have arrived.
    public static func copy(fromSQLite path: String, to target: PostgresStore) async throws -> [(table: String, rows: Int)] {
        guard FileManager.default.fileExists(atPath: path) else { throw KeelError(.notFound, "There is no SQLite file at \(path).") }
        let source = try SQLiteStore(path: path)
        for table in ["api_keys", "requests"] {
            guard try await target.count(table) == 0 else {
                throw KeelError(.invalidRequest, "The PostgreSQL database already has \(table); copy into an empty one, so that nothing is mixed.")
            }
        }
        var copied: [(table: String, rows: Int)] = []
        try await target.transaction { connection in
            for table in tables {
                let columns = try await source.pool.read { db in try db.columns(in: table).map(\.name) }
                var offset = 0
                while true {
                    let start = offset
                    let (text, count) = try await source.pool.read { db in
                        let rows = try Row.fetchAll(
                            db,
                            sql: "SELECT \(columns.joined(separator: ", ")) FROM \(table) ORDER BY rowid LIMIT 5000 OFFSET ?",
                            arguments: [start]
                        )
                        var text = CopyText()
                        for row in rows { text.row(columns.map { Self.value(row[$0] as DatabaseValue) }) }
                        return (text, rows.count)
                    }
                    guard count > 0 else { break }
                    try await connection.copyFrom(table: table, columns: columns, logger: target.logger) { try await $0.write(text.buffer) }
                    offset += count
                }
                copied.append((table, offset))
            }
            // PostgreSQL numbers each workflow's steps from a counter on its row.
            try await connection.execute(
                """
                UPDATE workflows w SET steps = COALESCE((SELECT MAX(number) FROM workflow_steps s WHERE s.key_id = w.key_id AND s.workflow_id = w.id), 0)
                """,
                logger: target.logger
            )
            // New prompt events are numbered after the copied ones.
            try await connection.execute(
                "SELECT setval(pg_get_serial_sequence('prompt_events', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM prompt_events",
                logger: target.logger
            )
        }
        for (table, rows) in copied {
            let arrived = try await target.count(table)
            guard arrived >= rows else { throw KeelError(.internalError, "\(table): \(rows) rows read, \(arrived) arrived.") }
        }
        return copied
    }

    /// A SQLite value as `COPY` takes it.
    private static func value(_ value: DatabaseValue) -> (any Sendable)? {
        switch value.storage {
        case .null: nil
        case .int64(let integer): integer
        case .double(let double): double
        case .string(let text): text
        case .blob(let data): String(decoding: data, as: UTF8.self)
        }
    }
}

extension PostgresStore {
    /// The rows of `table` (one of Keel's own).
    func count(_ table: String) async throws -> Int {
        let rows = try await rows(PostgresStatement("SELECT COUNT(*)::BIGINT AS n FROM \(table)"))
        return Int(try rows.first?.value("n", as: Int64.self) ?? 0)
    }
}
