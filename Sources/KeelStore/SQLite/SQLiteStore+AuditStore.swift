import Foundation
import GRDB
import KeelCore

extension SQLiteStore: AuditStore {
    public func appendAudit(_ events: [AuditEvent], at: Date) async throws -> [AuditRecord] {
        guard !events.isEmpty else { return [] }
        // SQLite serialises write transactions: the last record read here is still the last at the insert.
        return try await pool.write { db in
            var previous = try Row.fetchOne(db, sql: AuditRows.last).map(Self.auditRecord)
            let insert = try db.cachedStatement(sql: AuditRows.insert)
            return try events.map { event in
                let record = AuditRecord(event, after: previous, at: at)
                try insert.execute(arguments: .storable(AuditRows.values(of: record).map(\.sqlite)))
                previous = record
                return record
            }
        }
    }

    public func auditRecords(from sequence: Int, limit: Int) async throws -> [AuditRecord] {
        try await pool.read { db in try Row.fetchAll(db, sql: AuditRows.page, arguments: [sequence, limit]).map(Self.auditRecord) }
    }

    public func latestAuditRecords(kind: String, limit: Int) async throws -> [AuditRecord] {
        try await pool.read { db in try Row.fetchAll(db, sql: AuditRows.latestOfKind, arguments: [kind, limit]).map(Self.auditRecord) }
    }

    public func lastAuditRecord() async throws -> AuditRecord? {
        try await pool.read { db in try Row.fetchOne(db, sql: AuditRows.last).map(Self.auditRecord) }
    }

    public func saveAuditCheckpoint(_ checkpoint: AuditCheckpoint) async throws {
        try await pool.write { db in
            try db.execute(sql: AuditRows.insertCheckpoint, arguments: .storable(AuditRows.values(of: checkpoint).map(\.sqlite)))
        }
    }

    public func auditCheckpoints() async throws -> [AuditCheckpoint] {
        try await pool.read { db in try Row.fetchAll(db, sql: AuditRows.checkpoints).map(Self.checkpoint) }
    }

    public func lastAuditCheckpoint() async throws -> AuditCheckpoint? {
        try await pool.read { db in try Row.fetchOne(db, sql: AuditRows.lastCheckpoint).map(Self.checkpoint) }
    }

    private static func checkpoint(_ row: Row) throws -> AuditCheckpoint { try AuditRows.checkpoint(text: { row[$0] }, integer: { row[$0] }) }

    static func auditRecord(_ row: Row) throws -> AuditRecord { try AuditRows.record(text: { row[$0] }, integer: { row[$0] }) }
}
