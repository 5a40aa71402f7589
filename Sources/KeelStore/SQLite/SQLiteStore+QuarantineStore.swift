import Foundation
import GRDB
import KeelCore

extension SQLiteStore: QuarantineStore {
    public func quarantine(_ request: QuarantinedRequest) async throws {
        try await pool.write { db in
            try db.execute(sql: QuarantineRows.insert, arguments: .storable(QuarantineRows.values(of: request).map(\.sqlite)))
        }
    }

    public func quarantined(id: String) async throws -> QuarantinedRequest? {
        try await pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM quarantine WHERE id = ?", arguments: [id]).map(Self.quarantined) }
    }

    public func quarantined(route: String?, status: QuarantinedRequest.Status?, in scope: TeamScope, limit: Int) async throws -> [QuarantinedRequest]
    {
        try await pool.read { db in
            let team = Self.teamFilter(scope, column: "team")
            var conditions = [team.sql]
            var arguments = team.arguments
            if let route {
                conditions.append("route = ?")
                arguments += [route]
            }
            if let status {
                conditions.append("status = ?")
                arguments += [status.rawValue]
            }
            return try Row.fetchAll(
                db,
                sql: "SELECT * FROM quarantine WHERE \(conditions.joined(separator: " AND ")) ORDER BY received_at DESC, id DESC LIMIT ?",
                arguments: arguments + [limit]
            )
            .map(Self.quarantined)
        }
    }

    public func markReplayed(id: String, as requestID: String, at: Date) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE quarantine SET status = 'replayed', replayed_as = ?, resolved_at = ? WHERE id = ? AND status = 'held'",
                arguments: [requestID, at.timeIntervalSince1970, id]
            )
            return db.changesCount > 0
        }
    }

    public func claimKey(route: String, key: String, requestID: String, expiresAt: Date, now: Date) async throws -> String? {
        try await pool.write { db in
            let taken = try String.fetchOne(
                db,
                sql: QuarantineRows.claim,
                arguments: [route, key, requestID, expiresAt.timeIntervalSince1970, now.timeIntervalSince1970]
            )
            guard taken == nil else { return nil }
            return try String.fetchOne(db, sql: "SELECT request_id FROM contract_keys WHERE route = ? AND key = ?", arguments: [route, key])
        }
    }

    public func releaseKey(route: String, key: String, requestID: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM contract_keys WHERE route = ? AND key = ? AND request_id = ?", arguments: [route, key, requestID])
        }
    }

    private static func quarantined(_ row: Row) throws -> QuarantinedRequest {
        try QuarantineRows.request(
            id: row["id"],
            route: row["route"],
            team: row["team"],
            keyID: row["key_id"],
            receivedAt: row["received_at"],
            body: row["body"],
            problems: row["problems"],
            status: row["status"],
            replayedAs: row["replayed_as"],
            resolvedAt: row["resolved_at"]
        )
    }
}
