import Foundation
import GRDB
import KeelCore

extension SQLiteStore: RateLimitStore {
    public func exchange(_ admitted: [String: RateConsumption], replica: String) async throws -> [String: [String: RateConsumption]] {
        try await pool.write { db in
            let now = Date().timeIntervalSince1970
            for (key, consumption) in admitted {
                try db.execute(
                    sql: """
                        INSERT INTO rate_usage (key_id, replica, requests, tokens, updated_at) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (key_id, replica) DO UPDATE SET requests = requests + excluded.requests, tokens = tokens + excluded.tokens,
                            updated_at = excluded.updated_at
                        """,
                    arguments: [key, replica, consumption.requests, consumption.tokens, now]
                )
            }
            // Totals no replica has moved for an hour belong to replicas long gone.
            try db.execute(sql: "DELETE FROM rate_usage WHERE updated_at < ?", arguments: [now - 3600])
            var totals: [String: [String: RateConsumption]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT key_id, replica, requests, tokens FROM rate_usage WHERE replica <> ?", arguments: [replica])
            {
                totals[row["key_id"], default: [:]][row["replica"]] = RateConsumption(requests: row["requests"], tokens: row["tokens"])
            }
            return totals
        }
    }
}
