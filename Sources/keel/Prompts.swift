import ArgumentParser
import Foundation
import KeelApp
import KeelCore
import KeelStore
import Logging

struct Prompts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The prompt registry: versions, labels, history.",
        subcommands: [Push.self, List.self, Show.self, Diff.self, Label.self, Promote.self]
    )

    /// `--team`: the team whose prompts a command works on (the shared ones, unless given).
    struct Namespace: ParsableArguments {
        @Option(help: "The team whose prompt this is (the shared prompts, unless given).") var team: String?
    }

    struct Push: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Push a prompt file (YAML or JSON) as its next version.")

        @OptionGroup var storage: StorageOptions
        @OptionGroup var namespace: Namespace
        @Argument(help: "The prompt file.") var file: String

        func run() async throws {
            let json = try PromptFile.load(file)
            let (version, created) = try await storage.withStorage { storage in
                try await Gateway.promptRegistry(storage).push(json, team: namespace.team, by: "cli")
            }
            let verb = created ? "Pushed" : "Unchanged:"
            print("\(verb) \(version.prompt)@\(version.number)  \(version.tokens) tokens  \(version.contentHash.prefix(12))")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List prompts, their latest version and labels.")

        @OptionGroup var storage: StorageOptions
        @OptionGroup var team: TeamOption
        @Flag(help: "One JSON object a line.") var json = false

        func run() async throws {
            for prompt in try await storage.withStorage({ try await $0.prompts.prompts(in: team.scope) }) {
                guard !json else {
                    print(prompt.json.jsonString)
                    continue
                }
                let labels = prompt.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                print("\(prompt.prompt.description.padding(toLength: 30, withPad: " ", startingAt: 0)) latest \(prompt.latest)  \(labels)")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a version (NAME, NAME@VERSION or NAME@LABEL), every version's size, and the history."
        )

        @OptionGroup var storage: StorageOptions
        @OptionGroup var namespace: Namespace
        @Argument(help: "NAME, NAME@VERSION or NAME@LABEL.") var prompt: String
        @Flag(help: "The version as JSON.") var json = false

        func run() async throws {
            let reference = try PromptReference(parsing: prompt)
            try await storage.withStorage { storage in
                let registry = Gateway.promptRegistry(storage)
                let name = try await registry.find(reference.name, team: namespace.team)
                let version = try await registry.version(reference.selector, of: name)
                guard !json else { return print(version.json.jsonString) }
                let labels = try await storage.prompts.labels(of: name)
                print("\(name)@\(version.number)  \(version.tokens) tokens  \(version.contentHash.prefix(12))  by \(version.createdBy ?? "?")")
                for message in version.template.messages {
                    print("  [\(message.role)]")
                    for line in message.content.split(separator: "\n", omittingEmptySubsequences: false) { print("    \(line)") }
                }
                for variable in version.template.variables {
                    print("  {{\(variable.name)}}: \(variable.kind.rawValue)\(variable.required ? "" : ", optional")")
                }
                print("Versions (tokens, the prompt's inflation):")
                for other in try await storage.prompts.versions(of: name) {
                    let pointing = labels.filter { $0.value == other.number }.keys.sorted().joined(separator: ", ")
                    print("  \(other.number)  \(other.tokens) tokens  \(ISO8601DateFormatter.keel.string(from: other.createdAt))  \(pointing)")
                }
                print("History:")
                for event in try await storage.prompts.history(of: name) {
                    let label = event.label.map { " \($0)" } ?? ""
                    let from = event.previous.map { " (was \($0))" } ?? ""
                    let reason = event.reason.map { ": \($0)" } ?? ""
                    print(
                        "  \(ISO8601DateFormatter.keel.string(from: event.at))  \(event.kind.rawValue)\(label) → \(event.version)\(from) by \(event.actor ?? "?")\(reason)"
                    )
                }
            }
        }
    }

    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show what changed between two versions, line by line.")

        @OptionGroup var storage: StorageOptions
        @OptionGroup var namespace: Namespace
        @Argument(help: "The prompt's name.") var name: String
        @Argument(help: "A version or label.") var from: String
        @Argument(help: "Another version or label.") var to: String

        func run() async throws {
            try await storage.withStorage { storage in
                let registry = Gateway.promptRegistry(storage)
                let prompt = try await registry.find(name, team: namespace.team)
                let old = try await registry.version(try PromptReference(parsing: "\(name)@\(from)").selector, of: prompt)
                let new = try await registry.version(try PromptReference(parsing: "\(name)@\(to)").selector, of: prompt)
                print("--- \(prompt)@\(old.number)  (\(old.tokens) tokens)")
                print("+++ \(prompt)@\(new.number)  (\(new.tokens) tokens, \(new.tokens - old.tokens >= 0 ? "+" : "")\(new.tokens - old.tokens))")
                for line in PromptDiff.lines(from: old.template, to: new.template) { print(line) }
            }
        }
    }

    struct Label: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Point a label (production, staging, any name) at a version: a promotion or a rollback."
        )

        @OptionGroup var storage: StorageOptions
        @OptionGroup var namespace: Namespace
        @Argument(help: "The prompt's name.") var name: String
        @Argument(help: "The version.") var version: Int
        @Argument(help: "The label.") var label: String
        @Option(help: "Why, for the history.") var reason: String?

        func run() async throws {
            try await storage.withStorage { storage in
                let registry = Gateway.promptRegistry(storage)
                let prompt = try await registry.find(name, team: namespace.team)
                let previous = try await registry.label(label, of: prompt, to: version, by: "cli", reason: reason)
                print("\(prompt) \(label): \(previous.map(String.init) ?? "none") → \(version)")
            }
        }
    }

    struct Promote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move a label to a version through the route's gate: refused, with every failed condition, when the gate does not hold.",
            discussion: """
                The gate is the route's (evaluation.gate): per category or risk tier, a minimum pass rate and the largest drop \
                allowed against the version that holds the label now. Each version is judged by a fresh run of the gate's \
                dataset, or evaluated now. Promotions and refusals go into the prompt's history.
                """
        )

        @OptionGroup var storage: StorageOptions
        @OptionGroup var namespace: Namespace
        @Argument(help: "The prompt's name.") var name: String
        @Argument(help: "The version to promote.") var version: Int
        @Option(help: "The label.") var label = "production"
        @Option(help: "The route whose gate applies (the one whose default prompt this is, unless given).") var route: String?
        @Option(help: "Why, for the history.") var reason: String?
        @Option(help: "A finished run younger than this many hours is used instead of a new one.") var freshHours = 24.0
        @Option(help: "Cases in flight at once, when a version is evaluated.") var concurrency = 8
        @Flag(help: "The verdict as JSON.") var json = false
        @Flag(help: "No progress bar.") var quiet = false

        func run() async throws {
            let configuration = try storage.configuration()
            let bar = ProgressBar(quiet: quiet)
            let check = try await storage.withStorage { storage in
                try await Evaluations(configuration: configuration, storage: storage, logger: makeLogger(level: .warning)).promote(
                    prompt: name,
                    version: version,
                    label: label,
                    route: route,
                    team: namespace.team,
                    freshness: .seconds(freshHours * 3600),
                    concurrency: concurrency,
                    by: "cli",
                    reason: reason
                ) { subject, progress in
                    bar.draw(Double(progress.finished) / Double(max(progress.total, 1)), "\(subject)  \(Eval.describe(progress))")
                }
            }
            bar.finish()
            Eval.show(check, json: json)
            guard check.verdict.holds else {
                if !json { print("Refused: \(check.prompt) \(label) stays at \(check.holder.map(String.init) ?? "none").") }
                throw ExitCode(1)
            }
            if !json { print("Promoted: \(check.prompt) \(label) \(check.holder.map(String.init) ?? "none") → \(version).") }
        }
    }
}
