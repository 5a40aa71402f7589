/// Evidence of a route that the audit trail keeps, as a record of its own kind.
public protocol AuditedEvidence: Sendable {
    /// The kind of the audit records that keep it.
    static var kind: String { get }
    var route: String { get }
    /// The evidence an audit record keeps; `nil` for a record of another kind.
    init?(audit record: AuditRecord)
}
