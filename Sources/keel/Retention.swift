import ArgumentParser
import Foundation
import KeelApp
import KeelCore
import KeelStore

struct Retention: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "How long each class of data is kept (retention: in the configuration, a route's own too): status, and a purge now.",
        subcommands: [Status.self, Purge.self]
    )

    /// The configuration's policy, applied to its storage.
    static func withPurge<T>(_ storage: StorageOptions, _ body: (RetentionPurge) async throws -> T) async throws -> T {
        let policy = try storage.configuration().retentionPolicy
        return try await storage.withStorage { opened in
            try await body(RetentionPurge(policy: policy, store: opened.retention, audit: AuditTrail(store: opened.audit)))
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Each class and route's period, how many items are past it now (what the next purge removes), and the oldest kept."
        )

        @OptionGroup var storage: StorageOptions
        @Flag(help: "One JSON object a line.") var json = false

        func run() async throws {
            let lines = try await Retention.withPurge(storage) { try await $0.status() }
            if lines.isEmpty { print("No retention periods are configured: everything is kept until deleted.") }
            for line in lines {
                if json {
                    print(JSONValue.object(line.json).jsonString)
                } else {
                    let oldest = line.retained.oldest.map { $0.formatted(.iso8601) } ?? "none"
                    let days = (line.period / 86_400).formatted(.number.precision(.fractionLength(0...2)))
                    print("\(line.data.rawValue)  \(line.scope)  \(days) days  past: \(line.retained.expired)  oldest: \(oldest)")
                }
            }
        }
    }

    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove now what is past its period, as the server's purge does every interval; each purge is audited."
        )

        @OptionGroup var storage: StorageOptions

        func run() async throws {
            let removed = try await Retention.withPurge(storage) { try await $0.run(by: "keel retention purge") }
            for outcome in removed { print("\(outcome.data.rawValue)  \(outcome.scope)  removed: \(outcome.removed)") }
        }
    }
}
