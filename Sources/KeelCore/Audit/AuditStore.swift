import Foundation

/// Storage for the audit trail, shared by every replica: appends are serialised into one chain.
public protocol AuditStore: Sendable {
    /// Appends `events`, in order, after the chain's last record, as one atomic step; returns their records.
    @discardableResult
    func appendAudit(_ events: [AuditEvent], at: Date) async throws -> [AuditRecord]
    /// Records in sequence order, from `sequence` on.
    func auditRecords(from sequence: Int, limit: Int) async throws -> [AuditRecord]
    /// The chain's last record.
    func lastAuditRecord() async throws -> AuditRecord?
    /// The latest records of `kind`, newest first: the evidence a kind of record holds.
    func latestAuditRecords(kind: String, limit: Int) async throws -> [AuditRecord]
    /// Keeps a checkpoint; a second one of the same record is ignored.
    func saveAuditCheckpoint(_ checkpoint: AuditCheckpoint) async throws
    func auditCheckpoints() async throws -> [AuditCheckpoint]
    func lastAuditCheckpoint() async throws -> AuditCheckpoint?
}

extension AuditStore {
    /// Appends `event` after the chain's last record; returns its record.
    @discardableResult
    public func appendAudit(_ event: AuditEvent, at date: Date) async throws -> AuditRecord {
        guard let record = try await appendAudit([event], at: date).first else { throw KeelError(.internalError, "The audit trail kept nothing.") }
        return record
    }
}
