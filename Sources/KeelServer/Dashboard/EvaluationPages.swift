import Foundation
import Hummingbird
import KeelCore

/// The dashboard's evaluation pages: the runs, one run's report, and two runs compared.
extension DashboardController {
    private func requireReports() throws -> EvaluationReports {
        guard let evaluations else { throw KeelError(.notFound, "This dashboard has no evaluations.") }
        return evaluations
    }

    /// `/dashboard/evaluations`: the runs, newest first, and a form to compare two.
    func evaluationsPage(_ request: Request, viewer: DashboardViewer) async throws -> String {
        let reports = try requireReports()
        let runs = try await reports.evaluations.runs(in: viewer.scope, prompt: nil, limit: 100)
        var rows: [[HTML.Cell]] = []
        for run in runs {
            let report = try await reports.report(run.id, in: viewer.scope).report
            rows.append([
                .html(#"<a href="/dashboard/evaluations/\#(HTML.escape(run.id))">\#(HTML.escape(run.id))</a>"#),
                HTML.Cell(Format.time(run.startedAt, hours: 0)), HTML.Cell(run.subject), HTML.Cell("\(run.dataset)@\(run.datasetVersion)"),
                HTML.Cell(run.route), "\(report.overall.cases)/\(run.caseCount)", HTML.Cell(report.overall.passRateText),
                "\(report.overall.errors)", HTML.Cell("$" + report.overall.cost.dollarsText),
                HTML.Cell(run.finishedAt == nil ? "unfinished" : "finished"),
            ])
        }
        let header = ["run", "started", "prompt", "dataset", "route", "scored", "pass rate (95 % interval)", "errors", "cost", "state"]
        let options = runs.map { #"<option value="\#(HTML.escape($0.id))">\#(HTML.escape("\($0.id) · \($0.subject)"))</option>"# }.joined()
        let compare =
            runs.count < 2
            ? ""
            : """
            <h2>Compare two runs of one dataset</h2>
            <form class="filters" method="get" action="/dashboard/evaluations/compare"><label>base<select name="base">\(options)</select></label>
            <label>candidate<select name="candidate">\(options)</select></label><button>Compare</button></form>
            """
        let body = HTML.table(header, rows, empty: "No evaluation yet: run one with `keel eval run`.") + compare
        return HTML.page("Evaluations", path: "/dashboard/evaluations", body: body, viewer: viewer)
    }

    /// `/dashboard/evaluations/{id}`: a run's figures by category and tier, its labels, its cases.
    func evaluationPage(id: String, viewer: DashboardViewer) async throws -> String {
        let (report, results, cases) = try await requireReports().report(id, in: viewer.scope)
        let run = report.run
        let overall = report.overall
        let tiles = HTML.tiles([
            ("Cases scored", "\(overall.cases)/\(run.caseCount)"), ("Pass rate", overall.passRate.map { Format.percent($0) } ?? "-"),
            ("95 % interval", overall.interval.map { "\(Format.percent($0.lower)) – \(Format.percent($0.upper))" } ?? "-"),
            ("Failed", "\(overall.failed)"), ("Errors", "\(overall.errors)"), ("Cost", "$" + overall.cost.dollarsText),
            ("Scoring cost", "$" + overall.scoringCost.dollarsText), ("p95", Format.milliseconds(overall.latencyP95)),
        ])
        var body =
            "<p>\(HTML.escape(run.subject)) on \(HTML.escape("\(run.dataset)@\(run.datasetVersion)")) through \(HTML.escape(run.route)) · scorers \(HTML.escape(run.plan.scorers.map(\.name).joined(separator: ", "))) · started \(HTML.escape(Format.time(run.startedAt, hours: 0)))</p>"
        body += tiles
        body += "<h2>By category</h2>" + Self.groupTable(report.categories)
        if !report.tiers.isEmpty { body += "<h2>By risk tier</h2>" + Self.groupTable(report.tiers) }
        if let confusion = report.confusion {
            let rows: [[HTML.Cell]] = confusion.labels.enumerated().map { row, label in
                [.html("<b>\(HTML.escape(label))</b>")]
                    + confusion.matrix[row].enumerated().map { column, count in
                        .html(count == 0 ? "0" : "<span class=\"\(row == column ? "ok" : "bad")\">\(count)</span>")
                    }
            }
            body += "<h2>Labels: expected (rows) against answered (columns)</h2>" + HTML.table(["expected \\ answered"] + confusion.labels, rows)
        }
        let tier = Dictionary(cases.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let rows: [[HTML.Cell]] = results.map { result in
            let item = tier[result.caseID]
            let why = result.error ?? result.scores.filter { !$0.passed }.map { "\($0.scorer): \($0.detail ?? "failed")" }.joined(separator: "; ")
            return [
                HTML.Cell(result.caseID), HTML.Cell(item?.category ?? "-"), HTML.Cell(item?.riskTier?.rawValue ?? "-"),
                .html("<span class=\"\(result.passed ? "ok" : "bad")\">\(result.outcome.rawValue)</span>"), HTML.Cell(why),
                HTML.Cell(Format.milliseconds(result.latencyMs)), HTML.Cell("$" + result.cost.dollarsText),
                result.requestID.map { .html(#"<a href="/dashboard/requests/\#(HTML.escape($0))">\#(HTML.escape($0))</a>"#) } ?? "-",
            ]
        }
        body += "<h2>Cases</h2>" + HTML.table(["case", "category", "tier", "outcome", "why", "latency", "cost", "request"], rows)
        return HTML.page("Evaluation \(run.id)", path: "/dashboard/evaluations", body: body, viewer: viewer)
    }

    /// `/dashboard/evaluations/compare?base=&candidate=`: what changed, group by group and case by case.
    func comparisonPage(base: String, candidate: String, viewer: DashboardViewer) async throws -> String {
        let comparison = try await requireReports().compare(base, candidate, in: viewer.scope)
        let tiles = HTML.tiles([
            ("Fixed", "\(comparison.count(.fixed))"), ("Regressed", "\(comparison.count(.regressed))"),
            ("Unchanged", "\(comparison.count(.unchangedPass) + comparison.count(.unchangedFail))"),
            ("McNemar p", String(format: "%.3g", comparison.pValue)),
        ])
        let groups: [[HTML.Cell]] = comparison.groupPairs.map { pair in
            let change = pair.base?.passRate.flatMap { old in pair.candidate?.passRate.map { ($0 - old) * 100 } }
            return [
                HTML.Cell(pair.name), HTML.Cell(pair.base?.passRateText ?? "-"), HTML.Cell(pair.candidate?.passRateText ?? "-"),
                change.map { .html("<span class=\"\($0 < 0 ? "bad" : "ok")\">\(String(format: "%+.1f", $0)) points</span>") } ?? "-",
            ]
        }
        let changed: [[HTML.Cell]] = comparison.changes.filter { $0.change == .fixed || $0.change == .regressed }.map { change in
            [
                HTML.Cell(change.caseID), HTML.Cell(change.category ?? "-"), HTML.Cell(change.riskTier?.rawValue ?? "-"),
                .html("<span class=\"\(change.change == .fixed ? "ok" : "bad")\">\(change.change.rawValue)</span>"),
                HTML.Cell(change.base.rawValue), HTML.Cell(change.candidate.rawValue),
            ]
        }
        let (old, new) = (comparison.base.run, comparison.candidate.run)
        let link = { (run: EvaluationRun) in
            #"<a href="/dashboard/evaluations/\#(HTML.escape(run.id))">\#(HTML.escape("\(run.subject) (\(run.id))"))</a>"#
        }
        let body =
            "<p>\(link(old)) → \(link(new)) on \(HTML.escape("\(new.dataset)@\(new.datasetVersion)"))</p>" + tiles
            + HTML.table(["group", "base", "candidate", "change"], groups)
            + "<h2>Cases that changed</h2>"
            + HTML.table(["case", "category", "tier", "change", "base", "candidate"], changed, empty: "No case changed.")
        return HTML.page("Comparison", path: "/dashboard/evaluations", body: body, viewer: viewer)
    }

    static func groupTable(_ groups: [EvaluationReport.Group]) -> String {
        let rows: [[HTML.Cell]] = groups.map { group in
            [
                HTML.Cell(group.name), "\(group.cases)", HTML.Cell(group.passRateText), "\(group.failed)", "\(group.errors)",
                HTML.Cell("$" + group.cost.dollarsText), HTML.Cell(Format.milliseconds(group.latencyP50)),
                HTML.Cell(Format.milliseconds(group.latencyP95)),
            ]
        }
        return HTML.table(["", "cases", "pass rate (95 % interval)", "failed", "errors", "cost", "p50", "p95"], rows)
    }
}
