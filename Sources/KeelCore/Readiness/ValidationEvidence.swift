import Foundation

/// A batch of sample records run through a route's contract (`keel validate`), as the audit trail
/// keeps it: when, how many, and how they came out.
public struct ValidationEvidence: AuditedEvidence, Hashable {
    public static let kind = "batch_validated"

    public var route: String
    public var at: Date
    public var counts: [ContractOutcome.Status: Int]
    /// The records' source (a file's name) and its SHA-256, so that the batch can be found again.
    public var source: String
    public var sha256: String

    public init(route: String, at: Date, counts: [ContractOutcome.Status: Int], source: String, sha256: String) {
        self.route = route
        self.at = at
        self.counts = counts
        self.source = source
        self.sha256 = sha256
    }

    public var records: Int { counts.values.reduce(0, +) }

    /// The share of the records that came out `status`.
    public func share(_ status: ContractOutcome.Status) -> Double { records == 0 ? 0 : Double(counts[status] ?? 0) / Double(records) }

    /// The audit event that keeps it.
    public func event(by actor: String?) -> AuditEvent {
        var details = JSONObject([("route", .string(route)), ("source", .string(source)), ("sha256", .string(sha256))])
        for status in ContractOutcome.Status.allCases { details[status.rawValue] = JSONValue(counts[status] ?? 0) }
        return AuditEvent(Self.kind, actor: actor, details: details)
    }

    public init?(audit record: AuditRecord) {
        guard record.kind == Self.kind, let details = try? JSONParser.parse(record.details).objectValue,
            let route = details["route"]?.stringValue
        else { return nil }
        var counts: [ContractOutcome.Status: Int] = [:]
        for status in ContractOutcome.Status.allCases { counts[status] = Int(details[status.rawValue]?.integerValue ?? 0) }
        self.init(
            route: route,
            at: record.at,
            counts: counts,
            source: details["source"]?.stringValue ?? "",
            sha256: details["sha256"]?.stringValue ?? ""
        )
    }
}
