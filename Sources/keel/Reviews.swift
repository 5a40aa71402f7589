import ArgumentParser
import Foundation
import KeelApp
import KeelCore
import KeelStore

struct Reviews: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "The review queue: cases held for a person, and contested answers. List, show, claim and decide them.",
        discussion: """
            A decision here is the same as one through /api/reviews or the dashboard: the held client gets its answer \
            (or the rejection) on whichever replica holds it. Decisions record --reviewer as the reviewer.
            """,
        subcommands: [List.self, Show.self, Claim.self, Approve.self, Edit.self, Reject.self, Errors.self]
    )

    /// The queue on the configured storage, with the configured routes' review policies.
    static func withQueue<T>(_ storage: StorageOptions, _ body: (ReviewQueue) async throws -> T) async throws -> T {
        let configuration = try storage.configuration()
        let policies = Dictionary(uniqueKeysWithValues: configuration.routes.compactMap { route in route.review.map { (route.name, $0) } })
        return try await storage.withStorage { storage in
            try await body(ReviewQueue(store: storage.reviews, log: storage.log, routes: policies))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The newest reviews: id, status, route, tier, why.")

        @OptionGroup var storage: StorageOptions
        @OptionGroup var team: TeamOption
        @Option(help: "Only these statuses, comma-separated: pending, claimed, approved, edited, rejected.") var status: String?
        @Option(help: "At most this many.") var limit = 50
        @Flag(help: "One JSON object a line.") var json = false

        func run() async throws {
            let statuses = try Set(
                (status ?? "").split(separator: ",").map { name in
                    guard let status = Review.Status(rawValue: String(name)) else { throw ValidationError("--status \(name) is not a review status") }
                    return status
                }
            )
            let reviews = try await Reviews.withQueue(storage) { try await $0.list(statuses, in: team.scope, limit: limit) }
            let now = Date()
            for review in reviews {
                if json {
                    print(JSONValue.object(review.json(at: now, full: false)).jsonString)
                } else {
                    print(
                        "\(review.id)  \(review.status(at: now).rawValue)  \(review.route)  \(review.tier.rawValue)  \(review.reasons.joined(separator: "; "))"
                    )
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A review with what the model was asked and answered (JSON).")

        @OptionGroup var storage: StorageOptions
        @Argument(help: "The review's id.") var id: String

        func run() async throws {
            let review = try await Reviews.withQueue(storage) { try await $0.review(id, in: .all) }
            print(JSONValue.object(review.json(at: Date(), full: true)).jsonString)
        }
    }

    /// The reviewer a decision records.
    struct ReviewerOption: ParsableArguments {
        @Option(help: "Who decides (recorded with the decision).") var reviewer: String

        var value: ReviewQueue.Reviewer { ReviewQueue.Reviewer(name: reviewer, scope: .all) }
    }

    struct Claim: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Claim a review, so that no one else decides it until the claim lapses.")

        @OptionGroup var storage: StorageOptions
        @OptionGroup var reviewer: ReviewerOption
        @Argument(help: "The review's id.") var id: String

        func run() async throws {
            let review = try await Reviews.withQueue(storage) { try await $0.claim(id, by: reviewer.value) }
            print(JSONValue.object(review.json(at: Date(), full: false)).jsonString)
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Release the model's answer as it is.")

        @OptionGroup var storage: StorageOptions
        @OptionGroup var reviewer: ReviewerOption
        @Argument(help: "The review's id.") var id: String
        @Option(help: "Why (optional).") var reason: String?

        func run() async throws { try await decide(storage, id, .approved, reason: reason, edit: nil, by: reviewer) }
    }

    struct Edit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Release this answer instead of the model's.")

        @OptionGroup var storage: StorageOptions
        @OptionGroup var reviewer: ReviewerOption
        @Argument(help: "The review's id.") var id: String
        @Option(help: "The answer to release.") var answer: String
        @Option(help: "Why (optional).") var reason: String?

        func run() async throws { try await decide(storage, id, .edited, reason: reason, edit: answer, by: reviewer) }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Release no answer: the client gets an error with the reason.")

        @OptionGroup var storage: StorageOptions
        @OptionGroup var reviewer: ReviewerOption
        @Argument(help: "The review's id.") var id: String
        @Option(help: "Why.") var reason: String

        func run() async throws { try await decide(storage, id, .rejected, reason: reason, edit: nil, by: reviewer) }
    }

    static func decide(
        _ storage: StorageOptions,
        _ id: String,
        _ verdict: ReviewDecision.Verdict,
        reason: String?,
        edit: String?,
        by reviewer: ReviewerOption
    ) async throws {
        let review = try await withQueue(storage) { try await $0.decide(id, verdict, reason: reason, edit: edit, by: reviewer.value) }
        print(JSONValue.object(review.json(at: Date(), full: false)).jsonString)
    }

    struct Errors: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The error rate of the model's answers as reviewers found them (edited or rejected), by category and tier, with 95 % intervals."
        )

        @OptionGroup var storage: StorageOptions
        @OptionGroup var team: TeamOption
        @Flag(help: "The figures as JSON.") var json = false

        func run() async throws {
            let decided = try await Reviews.withQueue(storage) {
                try await $0.list([.approved, .edited, .rejected], in: team.scope, limit: 1_000_000)
            }
            let errors = ReviewErrors(decided)
            if json { return print(JSONValue.object(errors.json).jsonString) }
            for group in [errors.overall] + errors.cells {
                let rate = group.rate.map { String(format: "%.1f %%", $0 * 100) } ?? "-"
                let interval = String(format: "%.1f–%.1f %%", group.interval.lower * 100, group.interval.upper * 100)
                print(
                    "\((group.category ?? "all").padding(toLength: 20, withPad: " ", startingAt: 0)) \((group.tier?.rawValue ?? "all").padding(toLength: 7, withPad: " ", startingAt: 0)) \(group.errors)/\(group.reviewed)  \(rate)  (\(interval))"
                )
            }
        }
    }
}
