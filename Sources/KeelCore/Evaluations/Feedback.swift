import Foundation

/// What an application says of one of its answers (`POST /api/feedback`): a score, a label, and
/// the answer it should have been — a correction, which a dataset built from the log takes as the
/// case's expected answer.
public struct Feedback: Sendable, Hashable {
    public var id: String
    public var requestID: String
    /// The team of the key that sent it (and of the request it is about).
    public var team: String?
    public var keyID: String?
    public var score: Double?
    public var label: String?
    /// The right answer: text, or any JSON.
    public var correction: JSONValue?
    public var comment: String?
    public var createdAt: Date

    public init(
        id: String = RandomID.make(prefix: "fb_"),
        requestID: String,
        team: String?,
        keyID: String?,
        score: Double? = nil,
        label: String? = nil,
        correction: JSONValue? = nil,
        comment: String? = nil,
        createdAt: Date
    ) {
        self.id = id
        self.requestID = requestID
        self.team = team
        self.keyID = keyID
        self.score = score
        self.label = label
        self.correction = correction
        self.comment = comment
        self.createdAt = createdAt
    }

    static let fields: Set<String> = ["request_id", "score", "label", "correction", "comment"]

    /// Reads `{"request_id", "score", "label", "correction", "comment"}`: a request and at least one
    /// of score, label or correction.
    public init(body: JSONValue, caller: APIKey, at now: Date) throws(KeelError) {
        let reader = try FieldReader(body: body)
        if let unknown = reader.object.keys.first(where: { !Self.fields.contains($0) }) {
            throw reader.invalid(unknown, "is not a field of feedback (\(Self.fields.sorted().joined(separator: ", "))).")
        }
        let requestID = try reader.required("request_id", "a string") { $0.stringValue }
        let score = try reader.number("score", in: -1_000_000...1_000_000)
        let label = try reader.string("label")
        let correction = reader.value("correction")
        let comment = try reader.string("comment")
        guard score != nil || label != nil || correction != nil else {
            throw KeelError(.missingField, "Feedback gives a 'score', a 'label' or a 'correction'.", param: "score")
        }
        for (name, text) in [("label", label), ("comment", comment)] where (text?.count ?? 0) > 10_000 {
            throw reader.invalid(name, "is longer than 10000 characters.")
        }
        self.init(
            requestID: requestID,
            team: caller.team,
            keyID: caller.id,
            score: score,
            label: label,
            correction: correction,
            comment: comment,
            createdAt: now
        )
    }

    public var json: JSONObject {
        var object = JSONObject([("object", "feedback"), ("id", .string(id)), ("request_id", .string(requestID))])
        object["score"] = score.map(JSONValue.double) ?? .null
        object["label"] = JSONValue(label)
        object["correction"] = correction ?? .null
        object["comment"] = JSONValue(comment)
        object["created_at"] = .string(ISO8601DateFormatter.keel.string(from: createdAt))
        return object
    }
}

/// Storage for the applications' feedback.
public protocol FeedbackStore: Sendable {
    func insert(_ feedback: Feedback) async throws
    /// The feedback on these requests within `scope`, oldest first.
    func feedback(on requestIDs: [String], in scope: TeamScope) async throws -> [Feedback]
    /// The latest feedback within `scope`, newest first.
    func recentFeedback(in scope: TeamScope, limit: Int) async throws -> [Feedback]
    /// The mean score of the feedback on each version of `prompt`'s requests since `since` (a
    /// prompt's name, as the request log records it), and how many scores it averages.
    func scores(of prompt: String, since: Date) async throws -> [(version: Int, mean: Double, count: Int)]
}
