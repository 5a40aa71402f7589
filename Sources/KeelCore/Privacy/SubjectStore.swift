import Foundation

/// Storage that answers a data subject's requests: which requests were theirs, and erasing them.
public protocol SubjectStore: Sendable {
    /// The ids of the requests made for the subject `digest`, oldest first.
    func subjectRequestIDs(_ digest: String) async throws -> [String]
    /// Erases the subject `digest`, in one step: their requests keep only what is not theirs
    /// (tokens, cost, latency, for the spend and drift that sum them) and no longer name them;
    /// the reviews, workflow steps, stored answers and feedback of those requests are deleted.
    func eraseSubject(_ digest: String) async throws -> SubjectErasure
}

/// What erasing a subject removed.
public struct SubjectErasure: Sendable, Hashable {
    public var requests = 0
    public var reviews = 0
    public var workflowSteps = 0
    public var storedAnswers = 0
    public var feedback = 0

    public init() {}

    public var json: JSONObject {
        JSONObject([
            ("requests", JSONValue(requests)), ("reviews", JSONValue(reviews)), ("workflow_steps", JSONValue(workflowSteps)),
            ("stored_answers", JSONValue(storedAnswers)), ("feedback", JSONValue(feedback)),
        ])
    }
}

/// A data subject's requests (`keel subjects`): everything Keel keeps that was theirs, exported
/// as JSON lines, or erased — each recorded in the audit trail under the subject's digest.
public struct DataSubjects: Sendable {
    let subjects: any SubjectStore
    let log: any RequestLogStore
    let reviews: any ReviewStore
    let workflows: any WorkflowStore
    let audit: AuditTrail

    public init(subjects: any SubjectStore, log: any RequestLogStore, reviews: any ReviewStore, workflows: any WorkflowStore, audit: AuditTrail) {
        self.subjects = subjects
        self.log = log
        self.reviews = reviews
        self.workflows = workflows
        self.audit = audit
    }

    /// Every request of `user`, each followed by its reviews and its workflow step: one JSON object
    /// a line, `type` saying which.
    public func export(user: String, by actor: String, now: Date) async throws -> [JSONObject] {
        let digest = DataSubject.digest(of: user)
        var lines: [JSONObject] = []
        for id in try await subjects.subjectRequestIDs(digest) {
            guard let record = try await log.requests(matching: RequestQuery(id: id, limit: 1)).first else { continue }
            lines.append(Self.typed("request", record.json.objectValue ?? JSONObject()))
            for review in try await reviews.reviews(ofRequest: id) { lines.append(Self.typed("review", review.json(at: now, full: true))) }
            if let workflow = record.workflowID, let key = record.keyID {
                for step in try await workflows.steps(of: WorkflowRef(keyID: key, id: workflow)) where step.requestID == id {
                    lines.append(Self.typed("workflow_step", step.json.objectValue ?? JSONObject()))
                }
            }
        }
        let requests = lines.filter { $0["type"] == "request" }.count
        try await audit.record(
            AuditEvent("subject_exported", actor: actor, subject: digest, details: JSONObject([("requests", JSONValue(requests))]))
        )
        return lines
    }

    /// Erases `user`'s data; returns what was removed.
    public func delete(user: String, by actor: String) async throws -> SubjectErasure {
        let digest = DataSubject.digest(of: user)
        let erased = try await subjects.eraseSubject(digest)
        try await audit.record(AuditEvent("subject_deleted", actor: actor, subject: digest, details: erased.json))
        return erased
    }

    private static func typed(_ type: String, _ object: JSONObject) -> JSONObject {
        JSONObject([("type", .string(type))] + object.entries.map { ($0.key, $0.value) })
    }
}
