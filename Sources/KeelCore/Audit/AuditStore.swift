import Foundation

/// Storage for the audit trail, shared by every replica: appends are serialised into one chain.
public protocol AuditStore: Sendable {
    /// Appends `event` after the chain's last record, as one atomic step; returns the record.
    @discardableResult
    func appendAudit(_ event: AuditEvent, at: Date) async throws -> AuditRecord
    /// Records in sequence order, from `sequence` on.
    func auditRecords(from sequence: Int, limit: Int) async throws -> [AuditRecord]
    /// The chain's last record.
    func lastAuditRecord() async throws -> AuditRecord?
    /// Keeps a checkpoint; a second one of the same record is ignored.
    func saveAuditCheckpoint(_ checkpoint: AuditCheckpoint) async throws
    func auditCheckpoints() async throws -> [AuditCheckpoint]
    func lastAuditCheckpoint() async throws -> AuditCheckpoint?
}
