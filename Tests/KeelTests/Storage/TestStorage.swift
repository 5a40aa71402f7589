import Foundation
import KeelCore
import KeelStore
import Logging
import Testing

/// The storage backends tests run on: SQLite always, PostgreSQL when `KEEL_TEST_POSTGRES_URL`
/// names a server (`.ci/run` starts one). Each test gets storage of its own: a fresh SQLite file,
/// or a fresh PostgreSQL database dropped after.
enum TestBackend: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }

    /// The server's URL (a user allowed to create databases, connected to any database).
    static var postgresURL: String? { ProcessInfo.processInfo.environment["KEEL_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 } }

    /// The backends available here.
    static var available: [TestBackend] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }

    /// The backend whole-gateway tests run on: `KEEL_TEST_STORAGE=postgres` runs the suite on PostgreSQL.
    static var gateway: TestBackend { ProcessInfo.processInfo.environment["KEEL_TEST_STORAGE"] == "postgres" ? .postgres : .sqlite }

    /// Runs `body` with a fresh storage configuration of this backend.
    func withConfiguration<T>(_ body: (StorageConfiguration) async throws -> T) async throws -> T {
        switch self {
        case .sqlite:
            return try await withTemporaryDirectory { directory in try await body(.sqlite(path: "\(directory)/keel.sqlite")) }
        case .postgres:
            guard let url = Self.postgresURL else { throw TestDatabaseError("KEEL_TEST_POSTGRES_URL is not set") }
            let database = "keel_test_\(RandomID.make(prefix: "", length: 12).lowercased())"
            try await Self.administer(url, "CREATE DATABASE \(database)")
            do {
                let result = try await body(.postgres(url: Self.url(url, database: database), poolSize: 8))
                try await Self.administer(url, "DROP DATABASE \(database) WITH (FORCE)")
                return result
            } catch {
                try? await Self.administer(url, "DROP DATABASE \(database) WITH (FORCE)")
                throw error
            }
        }
    }

    /// Runs `body` with fresh storage of this backend, closed after.
    func withStorage<T>(_ body: (KeelStorage) async throws -> T) async throws -> T {
        try await withConfiguration { configuration in try await KeelStorage.with(configuration, logger: Self.quiet) { try await body($0) } }
    }

    /// `url` with its database replaced by `database`.
    static func url(_ url: String, database: String) -> String {
        var components = URLComponents(string: url)!
        components.path = "/" + database
        return components.string!
    }

    static let quiet: Logger = {
        var logger = Logger(label: "keel.test.storage")
        logger.logLevel = .critical
        return logger
    }()

    /// Runs one statement outside any transaction (creating or dropping a database).
    private static func administer(_ url: String, _ sql: String) async throws {
        try await PostgresStore.execute(sql, onServerAt: url, logger: quiet)
    }
}

struct TestDatabaseError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension StorageConfiguration {
    /// This storage as a `keel` process's configuration names it (`storage: …`), and the environment
    /// the process needs for it: this process's, with the database URL when there is one.
    var processSettings: (yaml: String, environment: [String: String]) {
        var environment = ProcessInfo.processInfo.environment
        switch self {
        case .sqlite(let path):
            return ("{ path: \(path) }", environment)
        case .postgres(let url, _):
            environment["KEEL_TEST_DATABASE_URL"] = url
            return ("{ driver: postgres, url_env: KEEL_TEST_DATABASE_URL, pool_size: 4 }", environment)
        }
    }
}
