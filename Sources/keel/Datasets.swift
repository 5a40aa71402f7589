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
            abstract: "Import a JSONL file as the next version of a dataset; a file with any invalid line is refused, every line named."
        )

        @OptionGroup var storage: StorageOptions
        @OptionGroup var namespace: Prompts.Namespace
        @Option(help: "The dataset's name.") var name: String
        @Argument(help: "The JSONL file.") var file: String

        func run() async throws {
            if let problem = RegistryName.problem(with: name) { throw ValidationError("--name \(problem)") }
            let cases = try DatasetFile.parse(try String(contentsOfFile: file, encoding: .utf8)).get()
            let dataset = RegistryName(team: namespace.team, name: name)
            let (version, created) = try await storage.withStorage { try await $0.datasets.push(cases, as: dataset, by: "cli", at: Date()) }
            print(
                "\(created ? "Imported" : "Unchanged:") \(dataset)@\(version.number)  \(version.caseCount) cases  \(version.contentHash.prefix(12))"
            )
            let tally = Dictionary(grouping: cases) { "\($0.category ?? "—") / \($0.riskTier?.rawValue ?? "—")" }
            for (group, members) in tally.sorted(by: { $0.key < $1.key }) { print("  \(group): \(members.count)") }
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
