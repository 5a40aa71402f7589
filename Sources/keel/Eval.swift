import ArgumentParser
import Foundation
import KeelApp
import KeelCore
import KeelStore
import Logging

struct Eval: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluations: run a prompt version over a dataset through the real pipeline, report, compare, gate, calibrate judges.",
        subcommands: [Run.self, Report.self, Compare.self, List.self, Gate.self, Calibrate.self]
    )

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run every case of a dataset through a route, in process, and score the answers.",
            discussion: """
                The cases go through the same stages, budgets and request log as traffic, with the team's 'evaluations' key, \
                marked as the run's. Each result is stored as it is scored: after an interruption, --resume RUN sends only \
                the cases without one. Scorers (--scorer, repeatable) are a type name or a JSON object: exact, contains, \
                regex, json_valid, json_schema, json_field, numeric, label, similarity, judge; the route's evaluation \
                section sets them otherwise.
                """
        )

        @OptionGroup var storage: StorageOptions
        @OptionGroup var namespace: Prompts.Namespace
        @Option(help: "The prompt version: NAME@VERSION or NAME@LABEL (none: the cases bring their messages).") var prompt: String?
        @Option(help: "The dataset: NAME or NAME@VERSION (the route's evaluation dataset, unless given).") var dataset: String?
        @Option(help: "The route the cases are sent to.") var route: String?
        @Option(name: .customLong("scorer"), help: "A scorer (type name or JSON); the route's, unless given.") var scorers: [String] = []
        @Option(help: "Cases in flight at once.") var concurrency = 8
        @Option(help: "Finish this run instead of starting one.") var resume: String?
        @Flag(help: "The report as JSON.") var json = false
        @Flag(help: "No progress bar.") var quiet = false

        func validate() throws {
            guard (1...256).contains(concurrency) else { throw ValidationError("--concurrency is between 1 and 256") }
            if resume != nil, prompt != nil || dataset != nil || route != nil || !scorers.isEmpty {
                throw ValidationError("--resume continues a run as it was started: give no --prompt, --dataset, --route or --scorer")
            }
            if resume == nil, route == nil { throw ValidationError("name the route (--route)") }
        }

        func run() async throws {
            let configuration = try storage.configuration()
            let scorers = try scorers.map(Eval.scorer(parsing:))
            try await storage.withStorage { storage in
                let evaluations = Evaluations(configuration: configuration, storage: storage, logger: makeLogger(level: .warning))
                let prepared: Evaluations.Prepared
                if let resume {
                    prepared = try await evaluations.resume(resume)
                } else {
                    prepared = try await evaluations.start(
                        prompt: try prompt.map(PromptReference.init(parsing:)),
                        dataset: dataset,
                        route: route ?? "",
                        scorers: scorers,
                        team: namespace.team,
                        by: "cli"
                    )
                }
                FileHandle.standardError.write(
                    Data(
                        "\(resume == nil ? "Started" : "Resuming") \(prepared.run.id): \(prepared.run.subject), \(prepared.cases.count) cases\n".utf8
                    )
                )
                let bar = ProgressBar(quiet: quiet)
                let timing = try await evaluations.execute(prepared, concurrency: concurrency) { progress in
                    bar.draw(Double(progress.finished) / Double(max(progress.total, 1)), Eval.describe(progress))
                }
                bar.finish()
                let (report, results, _) = try await evaluations.report(prepared.run.id)
                guard !json else {
                    var object = report.json
                    object["timing"] = [
                        "cases": JSONValue(timing.cases), "wall_ms": .double(timing.wall.milliseconds),
                        "pipeline_ms_mean": timing.meanPipelineMs.map(JSONValue.double) ?? .null,
                        "harness_ms_mean": timing.meanHarnessMs.map(JSONValue.double) ?? .null,
                    ]
                    return print(JSONValue.object(object).jsonString)
                }
                print(report.markdown(results: results))
                if let harness = timing.meanHarnessMs, let pipeline = timing.meanPipelineMs {
                    let wall = String(format: "%.2f", timing.wall.milliseconds / 1000)
                    print(
                        "\n\(timing.cases) cases sent in \(wall) s: \(String(format: "%.2f", pipeline)) ms a case in the pipeline, \(String(format: "%.3f", harness)) ms in the harness."
                    )
                }
            }
        }
    }

    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A run's report: per category and risk tier, pass rate with its Wilson interval, errors, cost, latency."
        )

        @OptionGroup var storage: StorageOptions
        @Argument(help: "The run's id.") var run: String
        @Flag(help: "As JSON, with every result.") var json = false

        func run() async throws {
            let configuration = try storage.configuration()
            try await storage.withStorage { storage in
                let (report, results, _) = try await Evaluations(configuration: configuration, storage: storage).report(run)
                guard !json else {
                    var object = report.json
                    object["results"] = .array(results.map { .object($0.json) })
                    return print(JSONValue.object(object).jsonString)
                }
                print(report.markdown(results: results))
            }
        }
    }

    struct Compare: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare two runs of one dataset case by case: fixed, regressed, unchanged, and McNemar's p-value."
        )

        @OptionGroup var storage: StorageOptions
        @Argument(help: "The base run.") var base: String
        @Argument(help: "The candidate run.") var candidate: String
        @Flag(help: "As JSON.") var json = false

        func run() async throws {
            let configuration = try storage.configuration()
            try await storage.withStorage { storage in
                let comparison = try await Evaluations(configuration: configuration, storage: storage).reports.compare(base, candidate)
                print(json ? JSONValue.object(comparison.json).jsonString : comparison.markdown())
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List runs, newest first.")

        @OptionGroup var storage: StorageOptions
        @OptionGroup var team: TeamOption
        @Option(help: "Only the runs of this prompt.") var prompt: String?
        @Option(help: "At most this many.") var limit = 50

        func run() async throws {
            try await storage.withStorage { storage in
                let name = prompt.map { RegistryName(team: team.team, name: $0) }
                for run in try await storage.evaluations.runs(in: team.scope, prompt: name, limit: limit) {
                    let state = run.finishedAt == nil ? "unfinished" : "finished"
                    print(
                        "\(run.id)  \(ISO8601DateFormatter.keel.string(from: run.startedAt))  \(run.subject)  \(run.dataset)@\(run.datasetVersion)  \(run.route)  \(run.caseCount) cases  \(state)"
                    )
                }
            }
        }
    }

    struct Gate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a route's gate for a prompt version (for CI): exits 1, listing each failed condition, when it does not hold.",
            discussion: "Uses each version's fresh run (see --fresh-hours) of the gate's dataset, or evaluates it now. Nothing is promoted."
        )

        @OptionGroup var storage: StorageOptions
        @OptionGroup var gate: GateOptions
        @Flag(help: "The verdict as JSON.") var json = false

        func run() async throws {
            let configuration = try storage.configuration()
            let check = try await storage.withStorage { storage in
                try await gate.check(Evaluations(configuration: configuration, storage: storage, logger: makeLogger(level: .warning)))
            }
            Eval.show(check, json: json)
            if !check.verdict.holds { throw ExitCode(1) }
        }
    }

    /// The prompt version, the label and the route a gate is checked for.
    struct GateOptions: ParsableArguments {
        @OptionGroup var namespace: Prompts.Namespace
        @Option(help: "The candidate: NAME@VERSION.") var prompt: String
        @Option(help: "The label it would take (the base is the version holding it).") var label = "production"
        @Option(help: "The route whose gate applies (the one whose default prompt this is, unless given).") var route: String?
        @Option(help: "A finished run younger than this many hours is used instead of a new one.") var freshHours = 24.0
        @Option(help: "Cases in flight at once, when a version is evaluated.") var concurrency = 8
        @Flag(help: "No progress bar.") var quiet = false

        func check(_ evaluations: Evaluations) async throws -> Evaluations.GateCheck {
            let reference = try PromptReference(parsing: prompt)
            guard case .version(let version) = reference.selector else { throw ValidationError("--prompt names a version: NAME@VERSION") }
            let bar = ProgressBar(quiet: quiet)
            defer { bar.finish() }
            return try await evaluations.checkGate(
                prompt: reference.name,
                version: version,
                label: label,
                route: route,
                team: namespace.team,
                freshness: .seconds(freshHours * 3600),
                concurrency: concurrency,
                by: "cli"
            ) { subject, progress in
                bar.draw(Double(progress.finished) / Double(max(progress.total, 1)), "\(subject)  \(Eval.describe(progress))")
            }
        }
    }

    struct Calibrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "How often a judge agrees with people: agreement, Cohen's kappa and the confusion matrix over human labels.",
            discussion: """
                The labels file is JSONL: {"input": …, "answer": "…", "reference": "…", "label": "pass" | "fail"} a line. \
                The rubric is the judge scorer's on that route in the configuration, unless given.
                """
        )

        @OptionGroup var storage: StorageOptions
        @OptionGroup var namespace: Prompts.Namespace
        @Option(help: "The judge's route.") var judge: String
        @Option(help: "The human labels (JSONL).") var labels: String
        @Option(help: "The rubric (the configured judge's, unless given).") var rubric: String?
        @Option(help: "Answers graded at once.") var concurrency = 8
        @Flag(help: "As JSON.") var json = false
        @Flag(help: "No progress bar.") var quiet = false

        func run() async throws {
            let configuration = try storage.configuration()
            let items = try HumanLabel.parse(try String(contentsOfFile: labels, encoding: .utf8)).get()
            let calibration = try await storage.withStorage { storage in
                let evaluations = Evaluations(configuration: configuration, storage: storage, logger: makeLogger(level: .warning))
                let bar = ProgressBar(quiet: quiet)
                defer { bar.finish() }
                return try await evaluations.calibrate(
                    judge: judge,
                    rubric: try rubric ?? evaluations.rubric(forJudge: judge),
                    labels: items,
                    team: namespace.team,
                    concurrency: concurrency
                ) { done in bar.draw(Double(done) / Double(items.count), "\(done)/\(items.count) graded") }
            }
            let agreement = calibration.agreement
            if json {
                var object = JSONObject([("judge", .string(judge)), ("labels", JSONValue(agreement.count))])
                object["agreement"] = agreement.agreement.map(JSONValue.double) ?? .null
                object["kappa"] = agreement.kappa.map(JSONValue.double) ?? .null
                object["matrix"] = [
                    "labels": .array(agreement.labels.map(JSONValue.string)),
                    "counts": .array(agreement.matrix.map { .array($0.map(JSONValue.init)) }),
                ]
                object["cost_usd"] = .double(calibration.cost.dollars)
                return print(JSONValue.object(object).jsonString)
            }
            print("Judge \(judge) against \(agreement.count) human labels (cost \(calibration.cost)):")
            print(
                "  agreement \(agreement.agreement.map { String(format: "%.1f %%", $0 * 100) } ?? "–")  Cohen's kappa \(agreement.kappa.map { String(format: "%.3f", $0) } ?? "undefined (one label throughout)")"
            )
            print("  rows: people, columns: the judge")
            print(
                "  " + "".padding(toLength: 10, withPad: " ", startingAt: 0)
                    + agreement.labels.map { $0.padding(toLength: 10, withPad: " ", startingAt: 0) }.joined()
            )
            for (row, label) in agreement.labels.enumerated() {
                print(
                    "  " + label.padding(toLength: 10, withPad: " ", startingAt: 0)
                        + agreement.matrix[row].map { String($0).padding(toLength: 10, withPad: " ", startingAt: 0) }.joined()
                )
            }
        }
    }

    /// A scorer written on the command line: a type name, or a JSON object.
    static func scorer(parsing text: String) throws -> Scorer {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        do {
            return try Scorer(json: trimmed.hasPrefix("{") ? try JSONParser.parse(trimmed) : .string(trimmed), path: "--scorer")
        } catch let error as KeelError {
            throw ValidationError("--scorer \(text): \(error.message)")
        } catch {
            throw ValidationError("--scorer \(text): not JSON (\(error))")
        }
    }

    static func describe(_ progress: EvaluationRunner.Progress) -> String {
        "\(progress.finished)/\(progress.total)  \(progress.passed) passed  \(progress.failed) failed  \(progress.errors) errors"
    }

    static func show(_ check: Evaluations.GateCheck, json: Bool) {
        if json {
            var object = check.verdict.json
            object["prompt"] = .string("\(check.prompt)@\(check.version)")
            object["label"] = .string(check.label)
            object["holder"] = check.holder.map(JSONValue.init) ?? .null
            object["route"] = .string(check.route)
            object["candidate_run"] = .string(check.candidate.id)
            object["base_run"] = JSONValue(check.base?.id)
            return print(JSONValue.object(object).jsonString)
        }
        let base = check.holder.map { "\(check.prompt)@\($0) (run \(check.base?.id ?? "?"))" } ?? "no version (nothing holds it yet)"
        print("Gate of \(check.route) for \(check.prompt)@\(check.version) (run \(check.candidate.id)) taking '\(check.label)' from \(base):")
        for line in check.verdict.lines { print("  \(line)") }
        print(check.verdict.holds ? "The gate holds." : "The gate does not hold.")
    }
}
