import Foundation
import KeelCore
import PostgresNIO

extension PostgresStore: QuarantineStore {
    public func quarantine(_ request: QuarantinedRequest) async throws {
        try await execute(.with(QuarantineRows.insert, QuarantineRows.values(of: request).map(\.postgres)))
    }

    public func quarantined(id: String) async throws -> QuarantinedRequest? {
        try await rows(.with("SELECT * FROM quarantine WHERE id = ?", [id])).first.map(Self.quarantined)
    }

    public func quarantined(route: String?, status: QuarantinedRequest.Status?, in scope: TeamScope, limit: Int) async throws -> [QuarantinedRequest]
    {
        var statement = PostgresStatement("SELECT * FROM quarantine WHERE ")
        statement.team(scope, column: "team")
        if let route {
            statement.append(" AND route = ")
            statement.bind(route)
        }
        if let status {
            statement.append(" AND status = ")
            statement.bind(status.rawValue)
        }
        statement.append(" ORDER BY received_at DESC, id DESC LIMIT ")
        statement.bind(limit)
        return try await rows(statement).map(Self.quarantined)
    }

    public func markReplayed(id: String, as requestID: String, at: Date) async throws -> Bool {
        let updated = try await rows(
            .with(
                "UPDATE quarantine SET status = 'replayed', replayed_as = ?, resolved_at = ? WHERE id = ? AND status = 'held' RETURNING id",
                [requestID, at.timeIntervalSince1970, id]
            )
        )
        return !updated.isEmpty
    }

    public func claimKey(route: String, key: String, requestID: String, expiresAt: Date, now: Date) async throws -> String? {
        // A holder that lets go between the claim and the look-up leaves the key free: claim again.
        for _ in 0..<3 {
            let taken = try await rows(
                .with(QuarantineRows.claim, [route, key, requestID, expiresAt.timeIntervalSince1970, now.timeIntervalSince1970])
            )
            guard taken.isEmpty else { return nil }
            let holder = try await rows(.with("SELECT request_id FROM contract_keys WHERE route = ? AND key = ?", [route, key]))
            if let holder = holder.first { return try holder.value("request_id") }
        }
        throw KeelError(.internalError, "The dedupe key could not be claimed.")
    }

    public func releaseKey(route: String, key: String, requestID: String) async throws {
        try await execute(.with("DELETE FROM contract_keys WHERE route = ? AND key = ? AND request_id = ?", [route, key, requestID]))
    }

    private static func quarantined(_ row: PostgresRandomAccessRow) throws -> QuarantinedRequest {
        try QuarantineRows.request(
            id: try row.value("id"),
            route: try row.value("route"),
            team: try row.value("team"),
            keyID: try row.value("key_id"),
            receivedAt: try row.value("received_at"),
            body: try row.value("body"),
            problems: try row.value("problems"),
            status: try row.value("status"),
            replayedAs: try row.value("replayed_as"),
            resolvedAt: try row.value("resolved_at")
        )
    }
}
