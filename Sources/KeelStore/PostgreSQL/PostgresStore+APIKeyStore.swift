import Foundation
import KeelCore
import PostgresNIO

extension PostgresStore: APIKeyStore {
    public func insert(_ key: APIKey) async throws {
        try await execute(
            .with(
                "INSERT INTO api_keys (id, name, role, prefix, hash, team, created_at, revoked_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    key.id, key.name, key.role.rawValue, key.prefix, key.hash, key.team, key.createdAt.timeIntervalSince1970,
                    key.revokedAt?.timeIntervalSince1970, key.expiresAt?.timeIntervalSince1970,
                ]
            )
        )
    }

    public func key(hash: String) async throws -> APIKey? {
        try await rows(.with("SELECT * FROM api_keys WHERE hash = ?", [hash])).first.map(Self.key(from:))
    }

    public func key(id: String) async throws -> APIKey? {
        try await rows(.with("SELECT * FROM api_keys WHERE id = ?", [id])).first.map(Self.key(from:))
    }

    public func keys(in scope: TeamScope) async throws -> [APIKey] {
        var statement = PostgresStatement("SELECT * FROM api_keys WHERE ")
        statement.team(scope, column: "team")
        statement.append(" ORDER BY created_at, id")
        return try await rows(statement).map(Self.key(from:))
    }

    public func revoke(id: String, at now: Date) async throws -> Bool {
        let revoked = try await rows(
            .with("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL RETURNING id", [now.timeIntervalSince1970, id])
        )
        return !revoked.isEmpty
    }

    static func key(from row: PostgresRandomAccessRow) throws -> APIKey {
        APIKey(
            id: try row.value("id"),
            name: try row.value("name"),
            role: APIKey.Role(rawValue: try row.value("role")) ?? .app,
            prefix: try row.value("prefix"),
            hash: try row.value("hash"),
            team: try row.value("team"),
            createdAt: try row.date("created_at"),
            revokedAt: try row.optionalDate("revoked_at"),
            expiresAt: try row.optionalDate("expires_at")
        )
    }
}
