import KeelCore
import PostgresNIO

extension PostgresStore: SubjectStore {
    public func subjectRequestIDs(_ digest: String) async throws -> [String] {
        try await rows(.with(SubjectRows.requestIDs, [digest])).map { try $0.value("id", as: String.self) }
    }

    public func eraseSubject(_ digest: String) async throws -> SubjectErasure {
        try await transaction { connection in
            var erased = SubjectErasure()
            for statement in SubjectRows.erasure {
                let count = try await connection.changedRows(statement.sql, [digest], logger: logger)
                if let counts = statement.counts { erased[keyPath: counts] += count }
            }
            return erased
        }
    }
}
