import Foundation
import KeelCore
import PostgresNIO

extension PostgresStore: RateLimitStore {
    public func exchange(_ admitted: [String: RateConsumption], replica: String) async throws -> [String: [String: RateConsumption]] {
        let now = Date().timeIntervalSince1970
        if !admitted.isEmpty {
            let keys = Array(admitted.keys)
            var statement = PostgresStatement(
                """
                INSERT INTO rate_usage (key_id, replica, requests, tokens, updated_at)
                SELECT key, $1, requests, tokens, $2 FROM UNNEST($3::TEXT[], $4::BIGINT[], $5::BIGINT[]) AS usage (key, requests, tokens)
                ON CONFLICT (key_id, replica) DO UPDATE SET requests = rate_usage.requests + EXCLUDED.requests,
                    tokens = rate_usage.tokens + EXCLUDED.tokens, updated_at = EXCLUDED.updated_at
                """
            )
            statement.binds.append(replica)
            statement.binds.append(now)
            statement.binds.append(keys)
            statement.binds.append(keys.map { Int64(admitted[$0]?.requests ?? 0) })
            statement.binds.append(keys.map { Int64(admitted[$0]?.tokens ?? 0) })
            try await execute(statement)
        }
        // Totals no replica has moved for an hour belong to replicas long gone.
        try await execute(.with("DELETE FROM rate_usage WHERE updated_at < ?", [now - 3600]))
        var totals: [String: [String: RateConsumption]] = [:]
        for row in try await rows(.with("SELECT key_id, replica, requests, tokens FROM rate_usage WHERE replica <> ?", [replica])) {
            totals[try row.value("key_id"), default: [:]][try row.value("replica")] = RateConsumption(
                requests: Int(try row.value("requests", as: Int64.self)),
                tokens: Int(try row.value("tokens", as: Int64.self))
            )
        }
        return totals
    }
}

extension PostgresStore: SessionStore {
    public func insert(_ session: DashboardSession) async throws {
        try await execute(
            .with(
                "INSERT INTO dashboard_sessions (hash, key_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                [session.hash, session.keyID, session.createdAt.timeIntervalSince1970, session.expiresAt.timeIntervalSince1970]
            )
        )
    }

    public func session(hash: String) async throws -> DashboardSession? {
        try await rows(.with("SELECT * FROM dashboard_sessions WHERE hash = ?", [hash])).first.map { row in
            DashboardSession(
                hash: try row.value("hash"),
                keyID: try row.value("key_id"),
                createdAt: try row.date("created_at"),
                expiresAt: try row.date("expires_at")
            )
        }
    }

    public func delete(hash: String) async throws {
        try await execute(.with("DELETE FROM dashboard_sessions WHERE hash = ?", [hash]))
    }

    public func deleteSessions(of keyID: String) async throws {
        try await execute(.with("DELETE FROM dashboard_sessions WHERE key_id = ?", [keyID]))
    }

    public func deleteExpired(before now: Date) async throws {
        try await execute(.with("DELETE FROM dashboard_sessions WHERE expires_at <= ?", [now.timeIntervalSince1970]))
    }
}

extension PostgresStore: ReplicaStore {
    public func renew(_ lease: ReplicaLease) async throws {
        try await execute(
            .with(
                """
                INSERT INTO replicas (id, host, process_id, started_at, expires_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET expires_at = EXCLUDED.expires_at
                """,
                [lease.id, lease.host, lease.processID, lease.startedAt.timeIntervalSince1970, lease.expiresAt.timeIntervalSince1970]
            )
        )
    }

    public func expired(at now: Date) async throws -> [String] {
        try await rows(.with("SELECT id FROM replicas WHERE expires_at < ? ORDER BY expires_at", [now.timeIntervalSince1970])).map {
            try $0.value("id")
        }
    }

    public func live(at now: Date) async throws -> [ReplicaLease] {
        try await rows(.with("SELECT * FROM replicas WHERE expires_at >= ? ORDER BY started_at", [now.timeIntervalSince1970])).map { row in
            ReplicaLease(
                id: try row.value("id"),
                host: try row.value("host"),
                processID: try row.value("process_id"),
                startedAt: try row.date("started_at"),
                expiresAt: try row.date("expires_at")
            )
        }
    }

    public func remove(_ id: String) async throws {
        try await execute(.with("DELETE FROM replicas WHERE id = ?", [id]))
    }
}
