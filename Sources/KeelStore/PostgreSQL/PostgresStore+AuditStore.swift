import Foundation
import KeelCore
import PostgresNIO

extension PostgresStore: AuditStore {
    public func appendAudit(_ events: [AuditEvent], at: Date) async throws -> [AuditRecord] {
        guard !events.isEmpty else { return [] }
        return try await transaction { connection in
            // One replica at a time extends the chain.
            try await connection.execute("SELECT pg_advisory_xact_lock(7301266)", logger: logger)
            var previous = try await connection.rows(PostgresStatement(AuditRows.last), logger: logger).first.map(Self.auditRecord)
            var records: [AuditRecord] = []
            for event in events {
                records.append(AuditRecord(event, after: previous, at: at))
                previous = records.last
            }
            // A statement for up to 1,000 records (8,000 parameters of PostgreSQL's 65,535).
            for start in stride(from: 0, to: records.count, by: 1_000) {
                let chunk = records[start..<min(start + 1_000, records.count)]
                let values = chunk.flatMap { AuditRows.values(of: $0).map(\.postgres) }
                try await connection.execute(.with(AuditRows.insert(count: chunk.count), values), logger: logger)
            }
            return records
        }
    }

    public func auditRecords(from sequence: Int, limit: Int) async throws -> [AuditRecord] {
        try await rows(.with(AuditRows.page, [sequence, limit])).map(Self.auditRecord)
    }

    public func latestAuditRecords(kind: String, limit: Int) async throws -> [AuditRecord] {
        try await rows(.with(AuditRows.latestOfKind, [kind, limit])).map(Self.auditRecord)
    }

    public func lastAuditRecord() async throws -> AuditRecord? {
        try await rows(PostgresStatement(AuditRows.last)).first.map(Self.auditRecord)
    }

    public func saveAuditCheckpoint(_ checkpoint: AuditCheckpoint) async throws {
        try await execute(.with(AuditRows.insertCheckpoint, AuditRows.values(of: checkpoint).map(\.postgres)))
    }

    public func auditCheckpoints() async throws -> [AuditCheckpoint] {
        try await rows(PostgresStatement(AuditRows.checkpoints)).map(Self.checkpoint)
    }

    public func lastAuditCheckpoint() async throws -> AuditCheckpoint? {
        try await rows(PostgresStatement(AuditRows.lastCheckpoint)).first.map(Self.checkpoint)
    }

    private static func checkpoint(_ row: PostgresRandomAccessRow) throws -> AuditCheckpoint {
        try AuditRows.checkpoint(text: { try row.value($0, as: String?.self) }, integer: { try row.value($0, as: Int?.self) })
    }

    static func auditRecord(_ row: PostgresRandomAccessRow) throws -> AuditRecord {
        try AuditRows.record(text: { try row.value($0, as: String?.self) }, integer: { try row.value($0, as: Int?.self) })
    }
}
