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
                let counted = "WITH changed AS (\(statement.sql) RETURNING 1) SELECT COUNT(*) AS n FROM changed"
                let count = try await connection.rows(.with(counted, [digest]), logger: logger).first?.value("n", as: Int.self) ?? 0
                if let counts = statement.counts { erased[keyPath: counts] += count }
            }
            return erased
        }
    }
}
