import PostgresNIO

/// A PostgreSQL failure as Keel reports it: what the server said (its SQLSTATE and message), or
/// why it could not be reached. Never the statement's parameters or the server's detail, which may
/// quote stored values; postgres-nio's own error describes itself only generically.
public struct PostgresStoreError: Error, CustomStringConvertible {
    /// The server's SQLSTATE (`23505` for a unique violation, …), when it answered.
    public var sqlState: String?
    public var description: String

    init(_ error: PSQLError, location: String) {
        sqlState = error.serverInfo?[.sqlState]
        if let message = error.serverInfo?[.message] {
            description = "PostgreSQL at \(location) refused a statement: \(message) (SQLSTATE \(sqlState ?? "?"))"
        } else if let underlying = error.underlying {
            description = "PostgreSQL at \(location) could not be used (\(error.code)): \(underlying)"
        } else {
            description = "PostgreSQL at \(location) could not be used (\(error.code))"
        }
    }
}

extension PostgresStore {
    /// `body`, its PostgreSQL errors reported as ``PostgresStoreError``s, and as a cancellation when
    /// the task was cancelled.
    func reporting<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch  where Task.isCancelled {
            // The caller went away (a client that disconnected): the pool cancelled its lease.
            throw CancellationError()
        } catch let error as PSQLError {
            throw PostgresStoreError(error, location: location)
        }
    }
}
