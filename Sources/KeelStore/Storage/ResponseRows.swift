import Foundation
import KeelCore

/// The Responses API's kept responses as both backends store them (respelled by ``RegistrySchema``):
/// one row a response, named within its key, with its conversation's workflow id.
enum ResponseRows {
    static let tables = """
        CREATE TABLE responses (
            key_id TEXT NOT NULL, id TEXT NOT NULL, team TEXT, workflow_id TEXT NOT NULL, request_id TEXT NOT NULL, status TEXT NOT NULL,
            created_at DOUBLE NOT NULL, object TEXT NOT NULL, PRIMARY KEY (key_id, id)
        );
        CREATE INDEX responses_conversation ON responses (key_id, workflow_id, created_at);
        CREATE INDEX responses_request ON responses (request_id)
        """

    /// The request log's column for the API each request called.
    static let requestColumns = ["ALTER TABLE requests ADD COLUMN api TEXT"]

    static let save = """
        INSERT INTO responses (key_id, id, team, workflow_id, request_id, status, created_at, object) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (key_id, id) DO UPDATE SET status = excluded.status, object = excluded.object
        """

    static let select = "SELECT * FROM responses WHERE key_id = ? AND id = ?"

    /// A conversation's latest response a turn may follow: completed, or cut short at its token limit.
    static let latestCompleted = """
        SELECT id FROM responses WHERE key_id = ? AND workflow_id = ? AND status IN ('completed', 'incomplete')
        ORDER BY created_at DESC, id DESC LIMIT 1
        """

    static let delete = "DELETE FROM responses WHERE key_id = ? AND id = ?"

    static func values(of response: SavedResponse) -> [StoredValue] {
        [
            .text(response.keyID), .text(response.id), .text(response.team), .text(response.conversation), .text(response.requestID),
            .text(response.status), .real(response.createdAt.timeIntervalSince1970), .text(response.object.jsonText),
        ]
    }

    static func response(
        keyID: String,
        id: String,
        team: String?,
        conversation: String,
        requestID: String,
        createdAt: Double,
        object: String
    ) -> SavedResponse {
        SavedResponse(
            id: id,
            keyID: keyID,
            team: team,
            conversation: conversation,
            requestID: requestID,
            createdAt: Date(timeIntervalSince1970: createdAt),
            object: (try? JSONParser.parse(object).objectValue) ?? JSONObject()
        )
    }
}
