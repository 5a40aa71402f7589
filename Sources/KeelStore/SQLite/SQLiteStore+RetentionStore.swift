import Foundation
import GRDB
import KeelCore

extension SQLiteStore: RetentionStore {
    public func retained(_ data: DataClass, in scope: RetentionScope, before: Date) async throws -> RetainedData {
        try await pool.read { db in
            if data == .audit {
                let expired = try Int.fetchOne(db, sql: AuditRows.countBefore, arguments: [AuditRows.milliseconds(before)]) ?? 0
                let oldest = try Int64.fetchOne(db, sql: AuditRows.oldest).map { Date(timeIntervalSince1970: Double($0) / 1000) }
                return RetainedData(expired: expired, oldest: oldest)
            }
            var retained = RetainedData(expired: 0, oldest: nil)
            for target in RetentionRows.targets(data) where target.counted {
                let (expired, oldest) = RetentionRows.retained(target, scope, before: before)
                retained.expired += try Int.fetchOne(db, sql: expired.sql, arguments: .storable(expired.values.map(\.sqlite))) ?? 0
                if let first = try Double.fetchOne(db, sql: oldest.sql, arguments: .storable(oldest.values.map(\.sqlite))) {
                    retained.oldest = min(retained.oldest ?? .distantFuture, Date(timeIntervalSince1970: first))
                }
            }
            return retained
        }
    }

    public func purge(_ data: DataClass, in scope: RetentionScope, before: Date, at now: Date, by actor: String) async throws -> Int {
        try await pool.write { db in
            guard data != .audit else { return try Self.purgeAudit(db, before: before, at: now, by: actor) }
            var removed = 0
            for target in RetentionRows.targets(data) {
                let query = RetentionRows.purge(target, scope, before: before)
                try db.execute(sql: query.sql, arguments: .storable(query.values.map(\.sqlite)))
                if target.counted { removed += db.changesCount }
            }
            return removed
        }
    }

    /// Removes the trail's records older than `before`, appending first the record that says so.
    private static func purgeAudit(_ db: Database, before: Date, at now: Date, by actor: String) throws -> Int {
        guard let last = try Row.fetchOne(db, sql: AuditRows.lastBefore, arguments: [AuditRows.milliseconds(before)]).map(auditRecord) else {
            return 0
        }
        let removed = try Int.fetchOne(db, sql: AuditRows.countThrough, arguments: [last.sequence]) ?? 0
        let head = try Row.fetchOne(db, sql: AuditRows.last).map(auditRecord)
        let marker = AuditRecord(.auditPurged(through: last, removed: removed, by: actor), after: head, at: now)
        try db.execute(sql: AuditRows.insert, arguments: .storable(AuditRows.values(of: marker).map(\.sqlite)))
        try db.execute(sql: AuditRows.deleteThrough, arguments: [last.sequence])
        try db.execute(sql: AuditRows.deleteCheckpointsThrough, arguments: [last.sequence])
        return removed
    }
}
