import GRDB
import KeelCore

extension SQLiteStore: SubjectStore {
    public func subjectRequestIDs(_ digest: String) async throws -> [String] {
        try await pool.read { db in try String.fetchAll(db, sql: SubjectRows.requestIDs, arguments: [digest]) }
    }

    public func eraseSubject(_ digest: String) async throws -> SubjectErasure {
        try await pool.write { db in
            var erased = SubjectErasure()
            for statement in SubjectRows.erasure {
                try db.execute(sql: statement.sql, arguments: [digest])
                if let counts = statement.counts { erased[keyPath: counts] += db.changesCount }
            }
            return erased
        }
    }
}
