import Foundation
import GRDB
import KeelCore

extension SQLiteStore: APIKeyStore {
    public func insert(_ key: APIKey) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO api_keys (id, name, role, prefix, hash, team, created_at, revoked_at, expires_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: .storable([
                    key.id, key.name, key.role.rawValue, key.prefix, key.hash, key.team, key.createdAt.timeIntervalSince1970,
                    key.revokedAt?.timeIntervalSince1970, key.expiresAt?.timeIntervalSince1970,
                ])
            )
        }
    }

    public func key(hash: String) async throws -> APIKey? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM api_keys WHERE hash = ?", arguments: [hash]).map(Self.key(from:))
        }
    }

    public func key(id: String) async throws -> APIKey? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM api_keys WHERE id = ?", arguments: [id]).map(Self.key(from:))
        }
    }

    public func keys(in scope: TeamScope) async throws -> [APIKey] {
        try await pool.read { db in
            let (filter, arguments) = Self.teamFilter(scope, column: "team")
            return try Row.fetchAll(db, sql: "SELECT * FROM api_keys WHERE \(filter) ORDER BY created_at, id", arguments: arguments)
                .map(Self.key(from:))
        }
    }

    public func revoke(id: String, at now: Date) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                arguments: [now.timeIntervalSince1970, id]
            )
            return db.changesCount == 1
        }
    }

    static func key(from row: Row) -> APIKey {
        APIKey(
            id: row["id"],
            name: row["name"],
            role: APIKey.Role(rawValue: row["role"]) ?? .app,
            prefix: row["prefix"],
            hash: row["hash"],
            team: row["team"],
            createdAt: Date(timeIntervalSince1970: row["created_at"]),
            revokedAt: (row["revoked_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            expiresAt: (row["expires_at"] as Double?).map(Date.init(timeIntervalSince1970:))
        )
    }

    /// A condition on `column` that keeps the rows of `scope`'s teams (`1` for every team).
    static func teamFilter(_ scope: TeamScope, column: String) -> (sql: String, arguments: StatementArguments) {
        switch scope {
        case .all: ("1", [])
        case .team(nil): ("\(column) IS NULL", [])
        case .team(let team?): ("\(column) = ?", [team])
        }
    }
}
