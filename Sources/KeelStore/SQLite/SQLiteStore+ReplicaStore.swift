import Foundation
import GRDB
import KeelCore

extension SQLiteStore: ReplicaStore {
    public func renew(_ lease: ReplicaLease) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO replicas (id, host, process_id, started_at, expires_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at
                    """,
                arguments: [lease.id, lease.host, lease.processID, lease.startedAt.timeIntervalSince1970, lease.expiresAt.timeIntervalSince1970]
            )
        }
    }

    public func expired(at now: Date) async throws -> [String] {
        try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM replicas WHERE expires_at < ? ORDER BY expires_at", arguments: [now.timeIntervalSince1970])
        }
    }

    public func live(at now: Date) async throws -> [ReplicaLease] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM replicas WHERE expires_at >= ? ORDER BY started_at", arguments: [now.timeIntervalSince1970]).map
            {
                row in
                ReplicaLease(
                    id: row["id"],
                    host: row["host"],
                    processID: row["process_id"],
                    startedAt: Date(timeIntervalSince1970: row["started_at"]),
                    expiresAt: Date(timeIntervalSince1970: row["expires_at"])
                )
            }
        }
    }

    public func remove(_ id: String) async throws {
        try await pool.write { db in try db.execute(sql: "DELETE FROM replicas WHERE id = ?", arguments: [id]) }
    }
}
