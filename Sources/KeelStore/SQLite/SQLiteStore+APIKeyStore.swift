import Foundation
import GRDB
import KeelCore

extension SQLiteStore: APIKeyStore {
    public func insert(_ key: APIKey) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO api_keys (id, name, role, prefix, hash, team, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    key.id, key.name, key.role.rawValue, key.prefix, key.hash, key.team, key.createdAt.timeIntervalSince1970,
                    key.revokedAt?.timeIntervalSince1970,
                ]
            )
        }
    }

    public func key(hash: String) async throws -> APIKey? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM api_keys WHERE hash = ?", arguments: [hash]).map(Self.key(from:))
        }
    }

    public func keys() async throws -> [APIKey] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_keys ORDER BY created_at").map(Self.key(from:))
        }
    }

    private static func key(from row: Row) -> APIKey {
        APIKey(
            id: row["id"],
            name: row["name"],
            role: APIKey.Role(rawValue: row["role"]) ?? .app,
            prefix: row["prefix"],
            hash: row["hash"],
            team: row["team"],
            createdAt: Date(timeIntervalSince1970: row["created_at"]),
            revokedAt: (row["revoked_at"] as Double?).map(Date.init(timeIntervalSince1970:))
        )
    }
}
