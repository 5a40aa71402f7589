import Foundation
import KeelCore
import PostgresNIO

extension PostgresStore: ResponseStore {
    public func save(_ response: SavedResponse) async throws {
        try await execute(.with(ResponseRows.save, ResponseRows.values(of: response).map(\.postgres)))
    }

    public func response(_ id: String, keyID: String) async throws -> SavedResponse? {
        try await rows(.with(ResponseRows.select, [keyID, id])).first.map { row in
            ResponseRows.response(
                keyID: try row.value("key_id"),
                id: try row.value("id"),
                team: try row.value("team"),
                conversation: try row.value("workflow_id"),
                requestID: try row.value("request_id"),
                createdAt: try row.value("created_at"),
                object: try row.value("object")
            )
        }
    }

    public func latestCompleted(conversation: String, keyID: String) async throws -> String? {
        try await rows(.with(ResponseRows.latestCompleted, [keyID, conversation])).first?.value("id")
    }

    public func delete(_ id: String, keyID: String) async throws -> Bool {
        try await !rows(.with(ResponseRows.delete + " RETURNING id", [keyID, id])).isEmpty
    }
}
