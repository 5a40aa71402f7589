import ArgumentParser
import Foundation
import KeelCore
import KeelStore

struct Cost: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Report spend from the request log.",
        subcommands: [Report.self, Inflation.self],
        defaultSubcommand: Report.self
    )

    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Spend over the last days, by key, team, route, model or day.",
            discussion: """
                Estimated is the part of the cost Keel counted itself because the upstream reported no usage; \
                retries is what failed attempts may have cost on top, at most (their input at the input price).
                """
        )

        @OptionGroup var storage: StorageOptions
        @OptionGroup var team: TeamOption
        @Option(help: "key, team, route, model or day.") var by: CostReport.Grouping = .route
        @Option(help: "How many UTC days, today included.") var days = 7
        @Flag(help: "The report as JSON, as the admin API gives it.") var json = false

        func run() async throws {
            let period = CostReport.lastDays(days, now: Date())
            let report = try await storage.withStorage { try await $0.costs.report(by: by, since: period.since, until: period.until, in: team.scope) }
            guard !json else { return print(report.json.jsonString) }
            let header = [by.rawValue, "requests", "input tok", "output tok", "cost", "per request", "estimated", "retries"]
            let rows = report.lines.map { row($0, name: $0.group ?? "-") } + [row(report.total, name: "total")]
            print(Table(header: header, rows: rows).text)
        }

        private func row(_ line: CostReport.Line, name: String) -> [String] {
            [
                name, "\(line.requests)", "\(line.inputTokens)", "\(line.outputTokens)", "$" + line.cost.dollarsText,
                "$" + line.costPerRequest.dollarsText, "$" + line.estimatedCost.dollarsText, "$" + line.retryCost.dollarsText,
            ]
        }
    }

    struct Inflation: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prompt inflation: input tokens per request of each route, day by day.",
            discussion: "Answered requests only; the change is from the route's first day with traffic to its last."
        )

        @OptionGroup var storage: StorageOptions
        @OptionGroup var team: TeamOption
        @Option(help: "How many UTC days, today included.") var days = 14
        @Flag(help: "The trends as JSON, as the admin API gives them.") var json = false

        func run() async throws {
            let period = CostReport.lastDays(days, now: Date())
            let sizes = try await storage.withStorage { try await $0.costs.promptSizes(since: period.since, until: period.until, in: team.scope) }
            let inflation = PromptInflation(sizes)
            guard !json else { return print(inflation.json.jsonString) }
            guard !inflation.trends.isEmpty else { return print("No answered requests in the last \(days) days.") }
            for trend in inflation.trends {
                print("\(trend.route): \(String(format: "%+.1f%%", trend.change * 100)) input tokens per request over \(trend.days.count) day(s)")
                let rows = trend.days.map { day in [day.day, "\(day.requests)", String(format: "%.1f", day.mean)] }
                print(Table(header: ["day", "requests", "input tok/request"], rows: rows).text)
            }
        }
    }
}

extension CostReport.Grouping: ExpressibleByArgument {}

/// Columns padded to their widest cell; the first column left-aligned, the others right-aligned.
struct Table {
    var header: [String]
    var rows: [[String]]

    var text: String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { cells in
            cells.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + padding : padding + cell
            }
            .joined(separator: "  ")
        }
        .joined(separator: "\n")
    }
}
