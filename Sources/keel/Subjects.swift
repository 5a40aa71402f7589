import ArgumentParser
import Foundation
import KeelApp
import KeelCore
import KeelStore

struct Subjects: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A data subject's requests: export or delete everything Keel keeps of one end user (the requests' `user`).",
        discussion: "Keel keeps the SHA-256 of each request's `user`, never the id; both commands are recorded in the audit trail under that digest.",
        subcommands: [Export.self, Delete.self]
    )

    static func withSubjects<T>(_ storage: StorageOptions, _ body: (DataSubjects) async throws -> T) async throws -> T {
        try await storage.withStorage { opened in
            try await body(
                DataSubjects(
                    subjects: opened.subjects,
                    log: opened.log,
                    reviews: opened.reviews,
                    workflows: opened.workflows,
                    audit: AuditTrail(store: opened.audit)
                )
            )
        }
    }

    static var actor: String { commandActor("keel subjects") }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every request of the user as JSONL, each followed by its reviews and workflow step (`type` says which)."
        )

        @OptionGroup var storage: StorageOptions
        @Option(help: "The end user's id, as the application sent it in `user`.") var user: String

        func run() async throws {
            let lines = try await Subjects.withSubjects(storage) { try await $0.export(user: user, by: Subjects.actor, now: Date()) }
            for line in lines { print(JSONValue.object(line).jsonString) }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Erase the user: their requests' bodies, metadata and errors, and the reviews, workflow steps, stored answers and feedback of them.",
            discussion: "The requests' tokens, cost and latency stay, no longer linked to the user, so that spend and drift still add up."
        )

        @OptionGroup var storage: StorageOptions
        @Option(help: "The end user's id, as the application sent it in `user`.") var user: String

        func run() async throws {
            let erased = try await Subjects.withSubjects(storage) { try await $0.delete(user: user, by: Subjects.actor) }
            print(JSONValue.object(erased.json).jsonString)
        }
    }
}
