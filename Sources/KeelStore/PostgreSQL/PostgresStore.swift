import Foundation
import KeelCore
import Logging
import NIOSSL
import PostgresNIO

/// Keel's storage on PostgreSQL, for several replicas sharing one truth: every port on one
/// connection pool, the schema brought up to date by versioned migrations when it opens.
public final class PostgresStore: Sendable {
    let client: PostgresClient
    let logger: Logger
    /// `host:port/database`, for logs (never the password).
    public let location: String
    /// The client's connection pool runs as long as the store is open; ``close()`` ends it.
    private let running: Task<Void, Never>

    private init(client: PostgresClient, location: String, logger: Logger) {
        self.client = client
        self.location = location
        self.logger = logger
        // Owned by the store and ended by `close()`: the pool must run before the first query,
        // which opening the store makes (its migrations), before any service group exists.
        self.running = Task { await client.run() }
    }

    /// Connects to the database `url` names (`postgres://user:password@host:port/database`, with
    /// `?sslmode=disable|prefer|require`) with at most `poolSize` connections, and migrates it.
    public static func open(url: String, poolSize: Int = 20, logger: Logger) async throws -> PostgresStore {
        let (configuration, location) = try configuration(url: url, poolSize: poolSize)
        let store = PostgresStore(client: PostgresClient(configuration: configuration, backgroundLogger: logger), location: location, logger: logger)
        do {
            try await store.migrate()
        } catch {
            await store.close()
            throw error
        }
        return store
    }

    /// Runs one statement on the server at `url` on a connection of its own, outside any
    /// transaction and without touching Keel's schema: to create or drop a database.
    public static func execute(_ sql: String, onServerAt url: String, logger: Logger) async throws {
        let (configuration, location) = try configuration(url: url, poolSize: 1)
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                defer { group.cancelAll() }
                try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger)
            }
        } catch let error as PSQLError {
            throw PostgresStoreError(error, location: location)
        }
    }

    /// Ends the connection pool.
    public func close() async {
        running.cancel()
        await running.value
    }

    /// The client configuration for a `postgres://` URL.
    static func configuration(url: String, poolSize: Int) throws -> (PostgresClient.Configuration, location: String) {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme?.lowercased() ?? ""),
            let host = components.host, !host.isEmpty, let user = components.user
        else {
            throw KeelError(.invalidValue, "The database URL must look like postgres://user:password@host:5432/database.")
        }
        let database = String(components.path.drop { $0 == "/" })
        let mode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        let tls: PostgresClient.Configuration.TLS
        switch mode {
        case "disable": tls = .disable
        case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        default: tls = .prefer(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(
            host: host,
            port: components.port ?? 5432,
            username: user.removingPercentEncoding ?? user,
            password: components.password?.removingPercentEncoding,
            database: database.isEmpty ? nil : database,
            tls: tls
        )
        configuration.options.maximumConnections = max(1, poolSize)
        configuration.options.minimumConnections = 0
        return (configuration, "\(host):\(components.port ?? 5432)/\(database)")
    }

    /// Runs `statement` and returns its rows.
    func rows(_ statement: PostgresStatement) async throws -> [PostgresRandomAccessRow] {
        try await reporting {
            var rows: [PostgresRandomAccessRow] = []
            for try await row in try await client.query(statement.query, logger: logger) { rows.append(row.makeRandomAccess()) }
            return rows
        }
    }

    /// Runs `statement` for its effect.
    func execute(_ statement: PostgresStatement) async throws {
        try await reporting { _ = try await client.query(statement.query, logger: logger) }
    }

    /// Runs `body` in a transaction; what `body` throws is rethrown as it was (after the rollback).
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await reporting {
            do {
                return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
            } catch let error as PostgresTransactionError {
                throw error.closureError ?? error.beginError ?? error.commitError ?? error
            }
        }
    }
}

extension PostgresConnection {
    /// Runs `statement` on this connection (in its transaction) and returns its rows.
    func rows(_ statement: PostgresStatement, logger: Logger) async throws -> [PostgresRandomAccessRow] {
        var rows: [PostgresRandomAccessRow] = []
        for try await row in try await query(statement.query, logger: logger) { rows.append(row.makeRandomAccess()) }
        return rows
    }

    func execute(_ statement: PostgresStatement, logger: Logger) async throws {
        _ = try await query(statement.query, logger: logger)
    }

    /// Runs an `UPDATE` or `DELETE` and returns how many rows it changed.
    func changedRows(_ sql: String, _ values: [(any PostgresDynamicTypeEncodable)?], logger: Logger) async throws -> Int {
        let counted = "WITH changed AS (\(sql) RETURNING 1) SELECT COUNT(*) AS n FROM changed"
        return try await rows(.with(counted, values), logger: logger).first?.value("n", as: Int.self) ?? 0
    }
}

/// SQL with its parameters bound as `$1`, `$2`, … while it is written, for queries whose shape
/// depends on their filters.
struct PostgresStatement: Sendable, ExpressibleByStringLiteral {
    var sql: String
    var binds = PostgresBindings()

    init(_ sql: String = "") { self.sql = sql }
    init(stringLiteral sql: String) { self.sql = sql }

    /// Appends SQL text.
    mutating func append(_ text: String) { sql += text }

    /// Appends a parameter's placeholder and binds `value` (NULL when `nil`).
    mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value?) { bindAny(value) }

    /// `sql` with every `?` bound, in order, to `values`.
    static func with(_ sql: String, _ values: [(any PostgresDynamicTypeEncodable)?]) -> PostgresStatement {
        var statement = PostgresStatement()
        var values = values[...]
        for character in sql {
            guard character == "?" else {
                statement.sql.append(character)
                continue
            }
            statement.bindAny(values.popFirst() ?? nil)
        }
        return statement
    }

    private mutating func bindAny(_ value: (any PostgresDynamicTypeEncodable)?) {
        switch value {
        case nil: binds.append(String?.none)
        case let text as String: binds.append(text.storable)
        case let value?: binds.append(value)
        }
        sql += "$\(binds.count)"
    }

    /// Appends a condition keeping the rows of `scope`'s teams in `column`.
    mutating func team(_ scope: TeamScope, column: String) {
        switch scope {
        case .all: append("TRUE")
        case .team(nil): append("\(column) IS NULL")
        case .team(let team?):
            append("\(column) = ")
            bind(team)
        }
    }

    var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: binds) }
}

extension PostgresRandomAccessRow {
    /// The value of `column`, decoded.
    func value<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        try self[column].decode(T.self)
    }

    func date(_ column: String) throws -> Date { Date(timeIntervalSince1970: try value(column, as: Double.self)) }
    func optionalDate(_ column: String) throws -> Date? { try value(column, as: Double?.self).map(Date.init(timeIntervalSince1970:)) }
    func money(_ column: String) throws -> Money { Money(picodollars: try value(column, as: Int64.self)) }
    func optionalMoney(_ column: String) throws -> Money? { try value(column, as: Int64?.self).map(Money.init(picodollars:)) }
}

extension StoredValue {
    var postgres: (any PostgresDynamicTypeEncodable)? {
        switch self {
        case .text(let value): value
        case .integer(let value): value
        case .real(let value): value
        }
    }
}
