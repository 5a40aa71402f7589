import Foundation
import KeelCore
import PostgresNIO

extension PostgresStore: RetentionStore {
    public func retained(_ data: DataClass, in scope: RetentionScope, before: Date) async throws -> RetainedData {
        if data == .audit {
            let expired = try await rows(.with(AuditRows.countBefore, [AuditRows.milliseconds(before)])).first?.value("n", as: Int.self) ?? 0
            let oldest = try await rows(PostgresStatement(AuditRows.oldest)).first?.value("oldest", as: Int64?.self)
            return RetainedData(expired: expired, oldest: oldest.map { Date(timeIntervalSince1970: Double($0) / 1000) })
        }
        var retained = RetainedData(expired: 0, oldest: nil)
        for target in RetentionRows.targets(data) where target.counted {
            let (expired, oldest) = RetentionRows.retained(target, scope, before: before)
            retained.expired += try await rows(.with(expired.sql, expired.values.map(\.postgres))).first?.value("n", as: Int.self) ?? 0
            if let first = try await rows(.with(oldest.sql, oldest.values.map(\.postgres))).first?.value("oldest", as: Double?.self) {
                retained.oldest = min(retained.oldest ?? .distantFuture, Date(timeIntervalSince1970: first))
            }
        }
        return retained
    }

    public func purge(_ data: DataClass, in scope: RetentionScope, before: Date, at now: Date, by actor: String) async throws -> Int {
        try await transaction { connection in
            guard data != .audit else { return try await purgeAudit(connection, before: before, at: now, by: actor) }
            var removed = 0
            for target in RetentionRows.targets(data) {
                let query = RetentionRows.purge(target, scope, before: before)
                let count = try await connection.changedRows(query.sql, query.values.map(\.postgres), logger: logger)
                if target.counted { removed += count }
            }
            return removed
        }
    }

    /// Removes the trail's records older than `before`, appending first the record that says so.
    private func purgeAudit(_ connection: PostgresConnection, before: Date, at now: Date, by actor: String) async throws -> Int {
        // Appends and purges extend and cut the chain one at a time.
        try await connection.execute("SELECT pg_advisory_xact_lock(7301266)", logger: logger)
        let cut = AuditRows.milliseconds(before)
        guard let last = try await connection.rows(.with(AuditRows.lastBefore, [cut]), logger: logger).first.map(Self.auditRecord) else { return 0 }
        let removed = try await connection.rows(.with(AuditRows.countThrough, [last.sequence]), logger: logger).first?.value("n", as: Int.self) ?? 0
        let head = try await connection.rows(PostgresStatement(AuditRows.last), logger: logger).first.map(Self.auditRecord)
        let marker = AuditRecord(.auditPurged(through: last, removed: removed, by: actor), after: head, at: now)
        try await connection.execute(.with(AuditRows.insert, AuditRows.values(of: marker).map(\.postgres)), logger: logger)
        try await connection.execute(.with(AuditRows.deleteThrough, [last.sequence]), logger: logger)
        try await connection.execute(.with(AuditRows.deleteCheckpointsThrough, [last.sequence]), logger: logger)
        return removed
    }
}
