import Foundation
import GRDB
import KeelCore

extension SQLiteStore: IdempotencyStore {
    public func claim(
        _ key: IdempotencyKey,
        fingerprint: String,
        requestID: String,
        replica: String,
        now: Date,
        expires: Date
    ) async throws -> IdempotencyClaim {
        try await pool.write { db in
            let row = try Row.fetchOne(
                db,
                sql: "SELECT fingerprint, status, request_id, response, expires_at FROM idempotency_keys WHERE scope = ? AND key = ?",
                arguments: [key.scope, key.key]
            )
            if let row, (row["expires_at"] as Double) > now.timeIntervalSince1970 {
                guard row["fingerprint"] as String == fingerprint else { return .mismatch }
                switch row["status"] as String {
                case "answered":
                    return .answered(try StoredResponse(json: JSONParser.parse(row["response"] as String)), requestID: row["request_id"])
                case "running":
                    return .running
                default:
                    break  // interrupted: this request takes it over
                }
            }
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO idempotency_keys (scope, key, fingerprint, status, request_id, response, created_at, expires_at, replica)
                    VALUES (?, ?, ?, 'running', ?, NULL, ?, ?, ?)
                    """,
                arguments: [key.scope, key.key, fingerprint, requestID, now.timeIntervalSince1970, expires.timeIntervalSince1970, replica]
            )
            return .claimed
        }
    }

    public func answer(_ key: IdempotencyKey, with response: StoredResponse) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE idempotency_keys SET status = 'answered', response = ? WHERE scope = ? AND key = ?",
                arguments: [response.json.jsonString, key.scope, key.key]
            )
        }
    }

    public func release(_ key: IdempotencyKey) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM idempotency_keys WHERE scope = ? AND key = ?", arguments: [key.scope, key.key])
        }
    }

    public func interruptKeys(of replica: String, now: Date) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE idempotency_keys SET status = 'interrupted' WHERE status = 'running' AND replica = ?", arguments: [replica])
            try db.execute(sql: "DELETE FROM idempotency_keys WHERE expires_at <= ?", arguments: [now.timeIntervalSince1970])
        }
    }
}
