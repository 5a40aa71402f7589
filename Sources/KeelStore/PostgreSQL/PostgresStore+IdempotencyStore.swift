import Foundation
import KeelCore
import PostgresNIO

extension PostgresStore: IdempotencyStore {
    /// Inserts the key if it is new, then decides under its row lock: replicas claiming together take
    /// turns, and exactly one of them runs it.
    public func claim(
        _ key: IdempotencyKey,
        fingerprint: String,
        requestID: String,
        replica: String,
        now: Date,
        expires: Date
    ) async throws -> IdempotencyClaim {
        try await transaction { connection in
            try await connection.execute(
                .with(
                    """
                    INSERT INTO idempotency_keys (scope, key, fingerprint, status, request_id, response, created_at, expires_at, replica)
                    VALUES (?, ?, ?, 'running', ?, NULL, ?, ?, ?) ON CONFLICT (scope, key) DO NOTHING
                    """,
                    [key.scope, key.key, fingerprint, requestID, now.timeIntervalSince1970, expires.timeIntervalSince1970, replica]
                ),
                logger: logger
            )
            let rows = try await connection.rows(
                .with(
                    "SELECT fingerprint, status, request_id, response, expires_at FROM idempotency_keys WHERE scope = ? AND key = ? FOR UPDATE",
                    [key.scope, key.key]
                ),
                logger: logger
            )
            guard let row = rows.first else { return .claimed }
            let holder: String = try row.value("request_id")
            if holder == requestID { return .claimed }
            if try row.value("expires_at", as: Double.self) > now.timeIntervalSince1970 {
                guard try row.value("fingerprint", as: String.self) == fingerprint else { return .mismatch }
                switch try row.value("status", as: String.self) {
                case "answered":
                    let response: String = try row.value("response")
                    return .answered(try StoredResponse(json: JSONParser.parse(response)), requestID: holder)
                case "running":
                    return .running
                default:
                    break  // interrupted: this request takes it over
                }
            }
            try await connection.execute(
                .with(
                    """
                    UPDATE idempotency_keys SET fingerprint = ?, status = 'running', request_id = ?, response = NULL, created_at = ?,
                        expires_at = ?, replica = ?
                    WHERE scope = ? AND key = ?
                    """,
                    [fingerprint, requestID, now.timeIntervalSince1970, expires.timeIntervalSince1970, replica, key.scope, key.key]
                ),
                logger: logger
            )
            return .claimed
        }
    }

    public func answer(_ key: IdempotencyKey, with response: StoredResponse) async throws {
        try await execute(
            .with(
                "UPDATE idempotency_keys SET status = 'answered', response = ? WHERE scope = ? AND key = ?",
                [response.json.jsonString, key.scope, key.key]
            )
        )
    }

    public func release(_ key: IdempotencyKey) async throws {
        try await execute(.with("DELETE FROM idempotency_keys WHERE scope = ? AND key = ?", [key.scope, key.key]))
    }

    public func interruptKeys(of replica: String, now: Date) async throws {
        try await execute(.with("UPDATE idempotency_keys SET status = 'interrupted' WHERE status = 'running' AND replica = ?", [replica]))
        try await execute(.with("DELETE FROM idempotency_keys WHERE expires_at <= ?", [now.timeIntervalSince1970]))
    }
}
