import ArgumentParser
import Foundation
import KeelApp
import KeelCore
import KeelServer
import KeelStore

struct Drift: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Drift statistics: compare samples offline, as the monitors compare windows.",
        subcommands: [Report.self, Prompt.self, Compare.self, Replay.self]
    )

    struct Compare: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare pairs of samples: one JSON line in, one out, with every statistic and the default test's verdict.",
            discussion: """
                Each input line is {"case", "kind": "numerical" | "categorical", "reference": [...], "current": [...]} (other fields \\
                ignored). Each output line is {case, test, drift, ks_stat, ks_p, wasserstein_normed, psi, js, chi2_stat, chi2_p}, null \\
                where a statistic does not apply: two-sample Kolmogorov–Smirnov as scipy's ks_2samp, Wasserstein normed by the \\
                reference's standard deviation, PSI and Jensen–Shannon on Evidently's bins, chi-square as Evidently applies it; the \\
                test is the one Evidently chooses by kind and size. A line that cannot be read is answered with {line, case, error} \\
                in its place, and the command exits 1.
                """
        )

        @Option(help: "The JSONL file of sample pairs ('-' for standard input).") var cases: String

        func run() async throws {
            var failed = 0
            for (number, line) in try jsonLines(cases) {
                let value: JSONValue
                do {
                    value = try JSONParser.parse(line)
                } catch {
                    failed += 1
                    print(
                        JSONValue.object(JSONObject([("line", JSONValue(number)), ("case", .null), ("error", .string("not JSON: \(error)"))]))
                            .jsonString
                    )
                    continue
                }
                do {
                    print(JSONValue.object(try DriftComparison(json: value).json).jsonString)
                } catch {
                    failed += 1
                    let name = value.objectValue?["case"] ?? .null
                    print(
                        JSONValue.object(JSONObject([("line", JSONValue(number)), ("case", name), ("error", .string(error.message))])).jsonString
                    )
                }
            }
            if failed > 0 { throw ExitCode(1) }
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Feed recorded windows through a route's drift monitor as the live service would, to tune it on your own history.",
            discussion: """
                Each input line is {"window": N, "columns": {"feature": [values, ...], ...}} (columns of equal length, other fields \
                ignored), in order. Each output line is {"window", "state", "alerts": [{"feature", "statistic", "value"}]}: the state \
                after the window (baseline while the baseline fills), and the features that moved most when it turned to drifting. \
                The route's drift section sets the monitor; a route without one gets the defaults. A line that cannot be read is \
                answered with {line, error} and the command exits 1.
                """
        )

        @OptionGroup var storage: StorageOptions
        @Option(help: "The route whose monitor is replayed.") var route: String
        @Argument(help: "The JSONL file of windows ('-' for standard input).") var file: String

        func run() async throws {
            let configuration = try storage.configuration()
            guard let found = configuration.routes.first(where: { $0.name == route }) else {
                throw ValidationError("there is no route '\(route)' in \(storage.config)")
            }
            let monitor = try found.drift ?? DriftMonitor(json: [:])
            let replay = try DriftReplay(monitor: monitor)
            var windows: [DriftReplay.Window] = []
            var failed = 0
            for (number, line) in try jsonLines(file) {
                do {
                    windows.append(try replay.window(json: try JSONParser.parse(line)))
                } catch {
                    failed += 1
                    let message = (error as? KeelError)?.message ?? "not JSON: \(error)"
                    print(JSONValue.object(JSONObject([("line", JSONValue(number)), ("error", .string(message))])).jsonString)
                }
            }
            for (window, judgement) in replay.run(windows) {
                let line = judgement?.json ?? JSONObject([("window", JSONValue(window.number)), ("state", "baseline"), ("alerts", [])])
                print(JSONValue.object(line).jsonString)
            }
            if failed > 0 { throw ExitCode(1) }
        }
    }

    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A route's drift: its state and, per feature, the latest test, the baseline's and current distributions, the score's history."
        )

        @OptionGroup var storage: StorageOptions
        @Argument(help: "The route.") var route: String
        @Flag(help: "As JSON.") var json = false
        @Option(help: "Also write the report as an HTML page (charts as SVG) to this file.") var html: String?

        func run() async throws {
            let configuration = try storage.configuration()
            let monitors = Dictionary(uniqueKeysWithValues: configuration.routes.compactMap { route in route.drift.map { (route.name, $0) } })
            let report = try await storage.withStorage { storage in
                try await DriftReports(store: storage.drift, monitors: monitors, evaluations: storage.evaluations, log: storage.log).report(route)
            }
            if let html { try DriftController.document(report).write(toFile: html, atomically: true, encoding: .utf8) }
            print(json ? JSONValue.object(report.json).jsonString : report.text)
        }
    }

    struct Prompt: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A prompt's versions side by side: size in tokens and its growth, traffic, cost per request, evaluation pass rate, feedback."
        )

        @OptionGroup var storage: StorageOptions
        @OptionGroup var namespace: Prompts.Namespace
        @Argument(help: "The prompt's name.") var name: String
        @Option(help: "Traffic and feedback of the last this many days.") var days = 30
        @Flag(help: "As JSON.") var json = false

        func run() async throws {
            let drift = try await storage.withStorage { storage in
                let prompt = try await Gateway.promptRegistry(storage).find(name, team: namespace.team)
                let now = Date()
                let since = now.addingTimeInterval(-Double(days) * 86_400)
                let reports = EvaluationReports(evaluations: storage.evaluations, datasets: storage.datasets)
                var evaluations: [Int: (run: String, passRate: Double?)] = [:]
                for run in try await storage.evaluations.runs(in: .all, prompt: prompt, limit: 500) where run.finishedAt != nil {
                    guard let version = run.promptVersion, evaluations[version] == nil else { continue }
                    evaluations[version] = (run.id, try await reports.report(run.id).report.overall.passRate)
                }
                return PromptDrift(
                    prompt: prompt,
                    versions: try await storage.prompts.versions(of: prompt),
                    labels: try await storage.prompts.labels(of: prompt),
                    costs: try await storage.costs.costs(by: .prompt, since: since, until: now, in: .all),
                    evaluations: evaluations,
                    feedback: try await storage.feedback.scores(of: prompt.name, since: since)
                )
            }
            print(json ? JSONValue.object(drift.json).jsonString : drift.text)
        }
    }
}
