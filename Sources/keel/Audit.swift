import ArgumentParser
import Foundation
import KeelApp
import KeelCore
import KeelStore

struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The audit trail: who loaded what configuration, created and revoked keys, moved prompt labels, decided reviews, signed in.",
        subcommands: [Verify.self, Export.self]
    )

    /// The checkpoints' key, from the variable the configuration names.
    static func key(_ storage: StorageOptions) throws -> String? { try storage.configuration().audit.signingKey }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the whole trail: every record's hash and link, no gap, every checkpoint signed and still matched. Exits 1 if not.",
            discussion: "The checkpoints' key is read from the variable audit.signing_key_env names; without it, signatures are not checked."
        )

        @OptionGroup var storage: StorageOptions
        @Flag(help: "The result as JSON.") var json = false

        func run() async throws {
            let key = try Audit.key(storage)
            let verification = try await storage.withStorage { try await AuditVerification.verify($0.audit, secret: key) }
            if json {
                print(JSONValue.object(verification.json).jsonString)
            } else {
                print(
                    "\(verification.records) records, \(verification.checkpoints) checkpoints\(key == nil ? " (signatures not checked: no key)" : ""): \(verification.isIntact ? "intact" : "NOT intact")"
                )
                for problem in verification.problems { print("  \(problem)") }
            }
            if !verification.isIntact { throw ExitCode(1) }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The trail as JSONL: every record with its hash and its predecessor's, then every checkpoint with its signature."
        )

        @OptionGroup var storage: StorageOptions

        func run() async throws {
            try await storage.withStorage { storage in
                var next = 1
                while true {
                    let page = try await storage.audit.auditRecords(from: next, limit: 1_000)
                    for record in page { print(JSONValue.object(record.json).jsonString) }
                    guard let last = page.last, page.count == 1_000 else { break }
                    next = last.sequence + 1
                }
                for checkpoint in try await storage.audit.auditCheckpoints() { print(JSONValue.object(checkpoint.json).jsonString) }
            }
        }
    }
}
