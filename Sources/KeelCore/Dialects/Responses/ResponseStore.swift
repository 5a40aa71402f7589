import Foundation

/// Where the Responses API keeps what `store: true` keeps: each response a client may fetch again,
/// delete, or continue with `previous_response_id`. A response is a turn of its conversation, which
/// is a workflow of the key that made it; no other key finds it.
public protocol ResponseStore: Sendable {
    /// Keeps `response` (a failed one too); saving its id again replaces it.
    func save(_ response: SavedResponse) async throws
    /// The response `id` of the key `keyID`.
    func response(_ id: String, keyID: String) async throws -> SavedResponse?
    /// The id of the latest completed response of the key's conversation: the one it continues from.
    func latestCompleted(conversation: String, keyID: String) async throws -> String?
    /// Deletes the key's response `id`; whether there was one.
    func delete(_ id: String, keyID: String) async throws -> Bool
}

/// One kept response.
public struct SavedResponse: Sendable, Hashable {
    public var id: String
    public var keyID: String
    public var team: String?
    /// The conversation (the workflow) the response is a turn of.
    public var conversation: String
    public var requestID: String
    public var createdAt: Date
    /// The response object as its client got it (masked under a PII route).
    public var object: JSONObject

    public init(id: String, keyID: String, team: String?, conversation: String, requestID: String, createdAt: Date, object: JSONObject) {
        self.id = id
        self.keyID = keyID
        self.team = team
        self.conversation = conversation
        self.requestID = requestID
        self.createdAt = createdAt
        self.object = object
    }

    /// `completed`, `incomplete` or `failed`, as the object says.
    public var status: String { object["status"]?.stringValue ?? "completed" }
}
