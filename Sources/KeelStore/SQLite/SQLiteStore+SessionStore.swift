import Foundation
import GRDB
import KeelCore

extension SQLiteStore: SessionStore {
    public func insert(_ session: DashboardSession) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO dashboard_sessions (hash, key_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                arguments: [session.hash, session.keyID, session.createdAt.timeIntervalSince1970, session.expiresAt.timeIntervalSince1970]
            )
        }
    }

    public func session(hash: String) async throws -> DashboardSession? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM dashboard_sessions WHERE hash = ?", arguments: [hash]).map { row in
                DashboardSession(
                    hash: row["hash"],
                    keyID: row["key_id"],
                    createdAt: Date(timeIntervalSince1970: row["created_at"]),
                    expiresAt: Date(timeIntervalSince1970: row["expires_at"])
                )
            }
        }
    }

    public func delete(hash: String) async throws {
        try await pool.write { db in try db.execute(sql: "DELETE FROM dashboard_sessions WHERE hash = ?", arguments: [hash]) }
    }

    public func deleteSessions(of keyID: String) async throws {
        try await pool.write { db in try db.execute(sql: "DELETE FROM dashboard_sessions WHERE key_id = ?", arguments: [keyID]) }
    }

    public func deleteExpired(before now: Date) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM dashboard_sessions WHERE expires_at <= ?", arguments: [now.timeIntervalSince1970])
        }
    }
}
