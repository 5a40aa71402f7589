import ArgumentParser
import Foundation
import KeelApp
import KeelCore
import KeelStore

struct Workflows: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, inspect, export, complete and report on workflows.",
        subcommands: [List.self, Show.self, Export.self, Complete.self, Report.self],
        defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Workflows, most recently active first.")

        @OptionGroup var storage: StorageOptions
        @OptionGroup var team: TeamOption
        @Option(help: "open or completed.") var status: Workflow.Status?
        @Option(name: .short, help: "How many workflows to show.") var n = 20

        func run() async throws {
            let workflows = try await storage.withStorage { try await $0.workflows.workflows(id: nil, status: status, limit: n, in: team.scope) }
            guard !workflows.isEmpty else { return print("No workflows.") }
            let rows = workflows.map { workflow in
                [workflow.id, workflow.keyID, workflow.route ?? "-", workflow.status.rawValue, time(workflow.createdAt), time(workflow.updatedAt)]
            }
            print(Table(header: ["workflow", "key", "route", "status", "started", "last active"], rows: rows).text)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A workflow's step timeline.")

        @OptionGroup var storage: StorageOptions
        @OptionGroup var workflow: WorkflowName

        func run() async throws {
            let (workflow, steps) = try await storage.withStorage { storage in
                let workflow = try await self.workflow.resolve(in: storage.workflows)
                return (workflow, try await storage.workflows.steps(of: workflow.ref))
            }
            print(
                "\(workflow.id)  key \(workflow.keyID)  route \(workflow.route ?? "-")  \(workflow.status.rawValue)  started \(time(workflow.createdAt))"
            )
            print(
                Table(header: ["step", "status", "started", "took", "tokens", "cost", "attempts", "compaction", "error"], rows: steps.map(row)).text
            )
        }

        private func row(_ step: WorkflowStep) -> [String] {
            let took = step.finishedAt.map { String(format: "%.0fms", $0.timeIntervalSince(step.startedAt) * 1000) }
            let tokens = step.usage.map { "\($0.inputTokens)→\($0.outputTokens)" }
            let compaction = step.compaction.map { "\($0.strategy.rawValue) -\($0.tokensSaved) tok" }
            return [
                "\(step.number)", step.status.rawValue, time(step.startedAt), took ?? "-", tokens ?? "-",
                step.cost.map { "$" + $0.dollarsText } ?? "-",
                "\(step.attempts)", compaction ?? "-", step.errorCode ?? "",
            ]
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A workflow and every step (inputs, outputs, usage, cost) as JSON, as the admin API gives it."
        )

        @OptionGroup var storage: StorageOptions
        @OptionGroup var workflow: WorkflowName
        @Option(name: .shortAndLong, help: "Write to this file instead of standard output.") var output: String?

        func run() async throws {
            let json = try await storage.withStorage { storage in
                let workflow = try await self.workflow.resolve(in: storage.workflows)
                return workflow.json(steps: try await storage.workflows.steps(of: workflow.ref)).jsonString
            }
            guard let output else { return print(json) }
            try Data((json + "\n").utf8).write(to: URL(fileURLWithPath: output))
        }
    }

    struct Complete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mark a workflow done: later steps are refused.")

        @OptionGroup var storage: StorageOptions
        @OptionGroup var workflow: WorkflowName

        func run() async throws {
            let completed = try await storage.withStorage { storage in
                let named = try await workflow.resolve(in: storage.workflows)
                return try await storage.workflows.complete(named.ref, now: Date()) ?? named
            }
            print("\(completed.id) is \(completed.status.rawValue).")
        }
    }

    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Execution figures of recent workflows, by route.",
            discussion: """
                Completion is completed over started; an open workflow idle longer than workflows.abandon_after_minutes \
                counts as abandoned. Retries are upstream retries plus steps sent again after failing. Consistency \
                compares the answers to inputs sent more than once: the share of identical pairs and their mean word \
                similarity.
                """
        )

        @OptionGroup var storage: StorageOptions
        @OptionGroup var team: TeamOption
        @Option(help: "How many UTC days of started workflows, today included.") var days = 7
        @Flag(help: "The report as JSON, as the admin API gives it.") var json = false

        func run() async throws {
            let idleTime = try storage.configuration().workflowIdleTime
            let report = try await storage.withStorage { storage in
                try await WorkflowReporter(store: storage.workflows, idleTime: idleTime).report(days: days, in: team.scope)
            }
            guard !json else { return print(report.json.jsonString) }
            guard !report.lines.isEmpty else { return print("No workflows started in the last \(days) day(s).") }
            let header = [
                "route", "started", "completed", "abandoned", "active", "completion", "retries/wf", "tok/completed", "cost/completed",
                "cost/step", "compactions", "tok saved", "identical", "similarity",
            ]
            let rows = report.lines.map { row($0, name: $0.route ?? "-") } + [row(report.total, name: "total")]
            print(Table(header: header, rows: rows).text)
        }

        private func row(_ line: WorkflowReport.Line, name: String) -> [String] {
            [
                name, "\(line.started)", "\(line.completed)", "\(line.abandoned)", "\(line.active)", percent(line.completionRate),
                line.retriesPerWorkflow.map { String(format: "%.2f", $0) } ?? "-",
                line.tokensPerCompletedWorkflow.map { String(format: "%.0f", $0) } ?? "-",
                line.costPerCompletedWorkflow.map { "$" + $0.dollarsText } ?? "-", line.costPerStep.map { "$" + $0.dollarsText } ?? "-",
                "\(line.compactions)", "\(line.tokensSaved)", percent(line.consistency.identicalShare), percent(line.consistency.meanSimilarity),
            ]
        }

        private func percent(_ share: Double?) -> String { share.map { String(format: "%.0f%%", $0 * 100) } ?? "-" }
    }
}

/// A workflow as the command line names it: its id, and its API key's id when several keys used it.
struct WorkflowName: ParsableArguments {
    @Argument(help: "The workflow id.") var id: String
    @Option(help: "The id of the API key that started it, when several keys used the id.") var key: String?

    func resolve(in store: any WorkflowStore) async throws -> Workflow {
        do {
            return try await store.resolve(id: id, keyID: key)
        } catch let error as KeelError {
            throw ValidationError(error.message)
        }
    }
}

extension Workflow.Status: ExpressibleByArgument {}

private func time(_ date: Date) -> String { ISO8601DateFormatter.keel.string(from: date) }
