import ArgumentParser
import Foundation
import KeelApp
import KeelCore
import KeelStore
import Logging

struct Database: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "The storage's schema, and moving a SQLite deployment to PostgreSQL.",
        subcommands: [Migrate.self, Status.self, Copy.self]
    )

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply the schema's migrations that the storage lacks (Keel also does at start).")

        @OptionGroup var storage: StorageOptions

        func run() async throws {
            let migrations = try await storage.withStorage { storage in
                print("Storage: \(storage.description)")
                return try await storage.schema.migrations()
            }
            print("\(migrations.filter(\.applied).count) of \(migrations.count) migrations applied; the schema is up to date.")
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The storage, its migrations, and the replicas sharing it.")

        @OptionGroup var storage: StorageOptions

        func run() async throws {
            try await storage.withStorage { storage in
                print("Storage: \(storage.description)")
                for migration in try await storage.schema.migrations() {
                    let when = migration.appliedAt.map { " on \(ISO8601DateFormatter.keel.string(from: $0))" } ?? ""
                    print("  \(migration.applied ? "applied" : "pending")  \(migration.name)\(when)")
                }
                let replicas = try await storage.replicas.live(at: Date())
                print("Replicas with a live lease: \(replicas.count)")
                for replica in replicas {
                    print(
                        "  \(replica.id)  \(replica.host) pid \(replica.processID)  since \(ISO8601DateFormatter.keel.string(from: replica.startedAt))"
                    )
                }
            }
        }
    }

    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a SQLite deployment (stopped) into the configured PostgreSQL database, which must be empty.",
            discussion: "Every table is copied whole — keys, the request log, workflows, idempotency keys, budgets, sessions — and counted."
        )

        @OptionGroup var storage: StorageOptions
        @Option(help: "The SQLite file to copy from.") var from: String

        func run() async throws {
            guard case .postgres(let url, let poolSize) = try storage.configuration().storage else {
                throw ValidationError("the configured storage is not PostgreSQL: set storage.driver to postgres in \(storage.config)")
            }
            let target = try await PostgresStore.open(url: url, poolSize: poolSize, logger: makeLogger(level: .warning))
            do {
                let copied = try await StorageCopy.copy(fromSQLite: from, to: target)
                for (table, rows) in copied { print("\(table.padding(toLength: 20, withPad: " ", startingAt: 0)) \(rows) rows") }
                print("Copied \(from) into PostgreSQL at \(target.location).")
                await target.close()
            } catch {
                await target.close()
                throw error
            }
        }
    }
}
