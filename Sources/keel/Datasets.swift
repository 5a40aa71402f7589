import ArgumentParser
import Foundation
import KeelCore
import KeelStore

struct Datasets: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluation datasets: versioned JSONL cases (id, variables or messages, expected, category, risk_tier, weight).",
        subcommands: [Import.self, List.self, Show.self]
    )

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a JSONL file, or requests from the log, as the next version of a dataset.",
            discussion: """
                A file with any invalid line is refused, every line named. From the log (--from-log), each answered chat \
                request of the route whose body the log kept (log.bodies: full) becomes a case: its prompt variables and \
                messages, and as the expected answer the application's correction (POST /api/feedback), else the answer it got. \
                From the review queue (--from-reviews), each approved or edited review of the route becomes a case: its \
                variables and messages, the released answer as the expected one, its category and tier.
                """
        )

        @OptionGroup var storage: StorageOptions
        @OptionGroup var namespace: Prompts.Namespace
        @Option(help: "The dataset's name.") var name: String
        @Argument(help: "The JSONL file.") var file: String?
        @Flag(help: "Take the cases from the request log instead of a file.") var fromLog = false
        @Flag(help: "Take the cases from the review queue's decisions instead of a file.") var fromReviews = false
        @Option(help: "With --from-log or --from-reviews: the route whose requests become cases.") var route: String?
        @Option(help: "With --from-log: requests since then: 7d, 24h, 30m, or an ISO 8601 time.") var since = "7d"
        @Flag(help: "With --from-log: only the requests feedback corrected.") var correctedOnly = false
        @Option(help: "With --from-log: at most this many requests, the latest.") var limit = 10_000

        func validate() throws {
            if let problem = RegistryName.problem(with: name) { throw ValidationError("--name \(problem)") }
            guard [file != nil, fromLog, fromReviews].filter({ $0 }).count == 1 else {
                throw ValidationError("give a FILE, --from-log or --from-reviews, one of them")
            }
            if fromLog || fromReviews, route == nil { throw ValidationError("--from-log and --from-reviews take the requests of one route: --route") }
            _ = try Self.date(since, now: Date())
        }

        func run() async throws {
            let dataset = RegistryName(team: namespace.team, name: name)
            let (cases, version, created) = try await storage.withStorage { storage in
                let cases =
                    try await fromLog
                    ? loggedCases(storage)
                    : fromReviews ? reviewedCases(storage) : DatasetFile.parse(try String(contentsOfFile: file ?? "", encoding: .utf8)).get()
                let (version, created) = try await storage.datasets.push(cases, as: dataset, by: "cli", at: Date())
                return (cases, version, created)
            }
            print(
                "\(created ? "Imported" : "Unchanged:") \(dataset)@\(version.number)  \(version.caseCount) cases  \(version.contentHash.prefix(12))"
            )
            let tally = Dictionary(grouping: cases) { "\($0.category ?? "—") / \($0.riskTier?.rawValue ?? "—")" }
            for (group, members) in tally.sorted(by: { $0.key < $1.key }) { print("  \(group): \(members.count)") }
        }

        /// The route's logged requests since `since`, made cases.
        private func loggedCases(_ storage: KeelStorage) async throws -> [EvaluationCase] {
            let scope: TeamScope = namespace.team.map { .team($0) } ?? .all
            var query = RequestQuery(scope: scope, route: route, since: try Self.date(since, now: Date()), limit: 500)
            var records: [RequestRecord] = []
            while records.count < limit {
                let page = try await storage.log.requests(matching: query)
                records += page.prefix(limit - records.count)
                guard page.count == query.limit, let last = page.last else { break }
                query.before = last.id
            }
            let feedback = try await storage.feedback.feedback(on: records.map(\.id), in: scope)
            let logged = LoggedCases(records: records.filter { $0.evaluationRun == nil }, feedback: feedback, correctedOnly: correctedOnly)
            for (reason, count) in logged.skipped.sorted(by: { $0.key < $1.key }) {
                FileHandle.standardError.write(Data("  left out \(count) request(s): \(reason)\n".utf8))
            }
            guard !logged.cases.isEmpty else {
                throw ValidationError("no request of \(route ?? "?") since \(since) could become a case (\(records.count) looked at)")
            }
            return logged.cases
        }

        /// The route's approved and edited reviews since `since`, made cases, oldest first.
        private func reviewedCases(_ storage: KeelStorage) async throws -> [EvaluationCase] {
            let scope: TeamScope = namespace.team.map { .team($0) } ?? .all
            let since = try Self.date(since, now: Date())
            let reviews = try await storage.reviews.reviews(statuses: [.approved, .edited], in: scope, now: Date(), limit: limit)
                .filter { $0.route == route && $0.createdAt >= since }
            let cases = reviews.reversed().compactMap(\.evaluationCase)
            if cases.count < reviews.count {
                FileHandle.standardError.write(Data("  left out \(reviews.count - cases.count) review(s): no variables or messages kept\n".utf8))
            }
            guard !cases.isEmpty else { throw ValidationError("no decided review of \(route ?? "?") since \(self.since) could become a case") }
            return cases
        }

        /// `7d`, `24h`, `30m` before `now`, or an ISO 8601 time.
        static func date(_ text: String, now: Date) throws -> Date {
            if let date = ISO8601DateFormatter.keel.date(from: text) ?? ISO8601DateFormatter().date(from: text) { return date }
            let units: [Character: Double] = ["d": 86_400, "h": 3_600, "m": 60]
            guard let unit = text.last.flatMap({ units[$0] }), let amount = Double(text.dropLast()), amount >= 0 else {
                throw ValidationError("--since \(text): write 7d, 24h, 30m or an ISO 8601 time")
            }
            return now.addingTimeInterval(-amount * unit)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List datasets and their latest version.")

        @OptionGroup var storage: StorageOptions
        @OptionGroup var team: TeamOption

        func run() async throws {
            for version in try await storage.withStorage({ try await $0.datasets.datasets(in: team.scope) }) {
                print(
                    "\(version.dataset.description.padding(toLength: 30, withPad: " ", startingAt: 0)) latest \(version.number)  \(version.caseCount) cases  \(ISO8601DateFormatter.keel.string(from: version.createdAt))"
                )
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a version's cases as JSONL (NAME or NAME@VERSION).")

        @OptionGroup var storage: StorageOptions
        @OptionGroup var namespace: Prompts.Namespace
        @Argument(help: "NAME or NAME@VERSION.") var dataset: String

        func run() async throws {
            let reference = try PromptReference(parsing: dataset)
            let name = RegistryName(team: namespace.team, name: reference.name)
            try await storage.withStorage { storage in
                let versions = try await storage.datasets.versions(of: name)
                let number: Int?
                switch reference.selector {
                case .latest: number = versions.last?.number
                case .version(let wanted): number = versions.first { $0.number == wanted }?.number
                case .label: throw ValidationError("a dataset is named NAME or NAME@VERSION")
                }
                guard let number else { throw ValidationError("there is no dataset \(reference) (see `keel datasets list`)") }
                for item in try await storage.datasets.cases(of: name, version: number) { print(JSONValue.object(item.json).jsonString) }
            }
        }
    }
}
