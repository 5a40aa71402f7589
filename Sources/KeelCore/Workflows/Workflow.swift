import Foundation

/// A workflow's identity: the id its client gave it, within the API key that started it. Two keys
/// using the same id have two workflows, and neither can learn that the other's exists.
public struct WorkflowRef: Sendable, Hashable, CustomStringConvertible {
    /// The id of the API key that started the workflow.
    public var keyID: String
    /// The client's id (`x-keel-workflow-id` or `metadata.workflow_id`).
    public var id: String

    public init(keyID: String, id: String) {
        self.keyID = keyID
        self.id = id
    }

    public var description: String { "\(id) (key \(keyID))" }
}

/// Multi-step work whose context Keel keeps: each request with the workflow's id is a step.
public struct Workflow: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        case open
        /// Closed by its client: the work is done.
        case completed
    }

    public var id: String
    /// The API key that started it, within which its id names it; only that key may add steps.
    public var keyID: String
    /// The key's team when it started: who else may read it.
    public var team: String?
    public var route: String?
    public var status: Status
    public var createdAt: Date
    public var updatedAt: Date

    public var ref: WorkflowRef { WorkflowRef(keyID: keyID, id: id) }

    public init(id: String, keyID: String, team: String? = nil, route: String?, status: Status = .open, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.keyID = keyID
        self.team = team
        self.route = route
        self.status = status
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Whether `id` can name a workflow: 1 to 128 letters, digits, `-`, `_`, `.` or `:`.
    public static func isValidID(_ id: String) -> Bool {
        (1...128).contains(id.utf8.count)
            && id.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || [0x2D, 0x5F, 0x2E, 0x3A].contains(byte)
            }
    }
}
