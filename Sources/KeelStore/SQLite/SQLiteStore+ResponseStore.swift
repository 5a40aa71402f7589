import Foundation
import GRDB
import KeelCore

extension SQLiteStore: ResponseStore {
    public func save(_ response: SavedResponse) async throws {
        try await pool.write { db in
            try db.execute(sql: ResponseRows.save, arguments: .storable(ResponseRows.values(of: response).map(\.sqlite)))
        }
    }

    public func response(_ id: String, keyID: String) async throws -> SavedResponse? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: ResponseRows.select, arguments: [keyID, id]).map { row in
                ResponseRows.response(
                    keyID: row["key_id"],
                    id: row["id"],
                    team: row["team"],
                    conversation: row["workflow_id"],
                    requestID: row["request_id"],
                    createdAt: row["created_at"],
                    object: row["object"]
                )
            }
        }
    }

    public func latestCompleted(conversation: String, keyID: String) async throws -> String? {
        try await pool.read { db in try String.fetchOne(db, sql: ResponseRows.latestCompleted, arguments: [keyID, conversation]) }
    }

    public func delete(_ id: String, keyID: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: ResponseRows.delete, arguments: [keyID, id])
            return db.changesCount > 0
        }
    }
}
