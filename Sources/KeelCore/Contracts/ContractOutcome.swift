/// What a contract made of one record: accepted (normalised), quarantined (kept with its reasons,
/// for a fix and a replay) or rejected, every field's problem, and the key a resend is known by.
public struct ContractOutcome: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable, CaseIterable {
        case accepted, quarantined, rejected
    }

    public var status: Status
    public var problems: [ContractProblem]
    /// The record as normalised so far (whole when accepted); `nil` when the payload is no object.
    public var normalized: JSONObject?
    /// The digest of the contract's dedupe fields, when it has them and they have values.
    public var dedupeKey: String?

    public init(status: Status, problems: [ContractProblem], normalized: JSONObject?, dedupeKey: String? = nil) {
        self.status = status
        self.problems = problems
        self.normalized = normalized
        self.dedupeKey = dedupeKey
    }

    /// This outcome for a record already accepted under the same key: rejected, whatever else it is.
    public func duplicate(of original: String?) -> ContractOutcome {
        var outcome = self
        outcome.problems.append(
            ContractProblem(
                field: "",
                code: .duplicate,
                message: "The record was already received" + (original.map { " (as \($0))" } ?? "") + "; a resend is not accepted twice.",
                rejects: true
            )
        )
        outcome.status = .rejected
        return outcome
    }
}
