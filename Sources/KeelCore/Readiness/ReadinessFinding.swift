/// One check's outcome: what Keel found, and what is missing or stale.
public struct ReadinessFinding: Sendable, Hashable {
    public var check: ReadinessCheck
    /// What shows the check is met, one fact a line.
    public var evidence: [String]
    /// What is missing or stale, one fact a line; the check passes when there is none.
    public var missing: [String]

    public init(check: ReadinessCheck, evidence: [String] = [], missing: [String] = []) {
        self.check = check
        self.evidence = evidence
        self.missing = missing
    }

    public var passed: Bool { missing.isEmpty }

    public var json: JSONObject {
        JSONObject([
            ("check", .string(check.rawValue)), ("title", .string(check.title)), ("passed", .bool(passed)),
            ("evidence", .array(evidence.map(JSONValue.string))), ("missing", .array(missing.map(JSONValue.string))),
        ])
    }
}
