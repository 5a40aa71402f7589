import Foundation
import Hummingbird
import KeelCore

/// The dashboard's pages, each rendered whole on the server.
extension DashboardController {
    /// `/dashboard?hours=24`: requests, errors, latency percentiles, cost and tokens over time.
    func overview(_ request: Request, viewer: DashboardViewer) async throws -> String {
        let hours = request.uri.queryParameters["hours"].flatMap { Int($0) }.map { min(max($0, 1), 168) } ?? 24
        let until = workflows.clock.now()
        let since = until.addingTimeInterval(-Double(hours) * 3600)
        let samples = try await self.traffic.trafficSamples(since: since, until: until, in: viewer.scope)
        let traffic = Traffic(samples: samples, since: since, until: until, bucketCount: 48)
        let total = traffic.total
        let tiles = HTML.tiles([
            ("Requests", "\(total.requests)"), ("Error rate", Format.percent(total.errorRate)), ("p50", Format.milliseconds(total.p50)),
            ("p95", Format.milliseconds(total.p95)), ("p99", Format.milliseconds(total.p99)), ("Tokens", "\(total.tokens)"),
            ("Cost", "$" + total.cost.dollarsText),
        ])
        let labels = traffic.buckets.map { Format.time($0.start, hours: hours) }
        let figures = traffic.buckets.map(\.figures)
        let charts = [
            Chart(
                title: "Requests and errors",
                series: [
                    .init(name: "requests", color: "#2563eb", values: figures.map { Double($0.requests) }),
                    .init(name: "errors", color: "#b3261e", values: figures.map { Double($0.errors) }),
                ],
                labels: labels
            ),
            Chart(
                title: "Latency (ms)",
                series: [
                    .init(name: "p50", color: "#2563eb", values: figures.map(\.p50)),
                    .init(name: "p95", color: "#d97706", values: figures.map(\.p95)),
                    .init(name: "p99", color: "#b3261e", values: figures.map(\.p99)),
                ],
                labels: labels
            ),
            Chart(
                title: "Cost (USD)",
                series: [.init(name: "cost", color: "#7c3aed", values: figures.map { $0.cost.dollars })],
                labels: labels,
                format: { String(format: "%.4f", $0) }
            ),
            Chart(title: "Tokens", series: [.init(name: "tokens", color: "#059669", values: figures.map { Double($0.tokens) })], labels: labels),
        ]
        let periods = [1, 24, 168].map { #"<a href="/dashboard?hours=\#($0)">\#($0 == 168 ? "7 days" : "\($0) h")</a>"# }.joined(separator: " · ")
        return HTML.page(
            "Overview: the last " + (hours == 1 ? "hour" : "\(hours) hours"),
            path: "/dashboard",
            body: "<p>\(periods)</p>" + tiles + "<div class=\"charts\">" + charts.map(\.svg).joined() + "</div>",
            viewer: viewer
        )
    }

    /// `/dashboard/routes`: each route's targets and its last day's figures.
    func routesPage(viewer: DashboardViewer) async throws -> String {
        let until = workflows.clock.now()
        let since = until.addingTimeInterval(-86_400)
        let samples = try await self.traffic.trafficSamples(since: since, until: until, in: viewer.scope)
        let traffic = Traffic(samples: samples, since: since, until: until, bucketCount: 1)
        let byRoute = Dictionary(traffic.routes.map { ($0.route ?? "", $0.figures) }, uniquingKeysWith: { first, _ in first })
        let rows: [[HTML.Cell]] = routes.all.map { route in
            let figures = byRoute[route.name]
            return [
                HTML.Cell(route.name), HTML.Cell(route.targets.map(\.name).joined(separator: " → ")), "\(figures?.requests ?? 0)",
                HTML.Cell(Format.percent(figures?.errorRate)), HTML.Cell(Format.milliseconds(figures?.p50)),
                HTML.Cell(Format.milliseconds(figures?.p95)), HTML.Cell(Format.milliseconds(figures?.p99)),
                HTML.Cell("$" + (figures?.cost ?? .zero).dollarsText),
            ]
        }
        let header = ["route", "targets (fallbacks in order)", "requests", "errors", "p50", "p95", "p99", "cost"]
        return HTML.page("Routes: the last 24 hours", path: "/dashboard/routes", body: HTML.table(header, rows), viewer: viewer)
    }

    /// `/dashboard/requests?route=&status=&failed=true&before=`: the request log, newest first.
    func requestsPage(_ request: Request, viewer: DashboardViewer) async throws -> String {
        let parameters = request.uri.queryParameters
        let route = parameters["route"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        let status = parameters["status"].flatMap { Int($0) }
        let failed = parameters["failed"] == "true"
        let query = RequestQuery(
            scope: viewer.scope,
            route: route,
            status: status,
            failedOnly: failed,
            before: parameters["before"].map(String.init),
            limit: 100
        )
        let records = try await log.requests(matching: query)
        let options = ([""] + routes.all.map(\.name)).map { name in
            #"<option value="\#(HTML.escape(name))"\#(name == (route ?? "") ? " selected" : "")>\#(name.isEmpty ? "all routes" : HTML.escape(name))</option>"#
        }
        let filters = """
            <form class="filters" method="get"><label>Route<select name="route">\(options.joined())</select></label>
            <label>Status<input name="status" size="4" value="\(status.map(String.init) ?? "")"></label>
            <label><span>Failed only</span><input type="checkbox" name="failed" value="true"\(failed ? " checked" : "")></label>
            <button>Filter</button></form>
            """
        let rows: [[HTML.Cell]] = records.map { record in
            [
                .html(#"<a href="/dashboard/requests/\#(HTML.escape(record.id))">\#(HTML.escape(Format.time(record.startedAt, hours: 0)))</a>"#),
                HTML.Cell(record.route ?? record.requestedModel ?? "-"), HTML.Cell(record.model ?? "-"),
                .html(record.status >= 400 || record.errorCode != nil ? "<span class=\"bad\">\(record.status)</span>" : "\(record.status)"),
                HTML.Cell(record.errorCode ?? ""), HTML.Cell(String(format: "%.1f ms", record.durationMs)), "\(record.attempts.count)",
                HTML.Cell(record.inputTokens.map { "\($0) → \(record.outputTokens ?? 0)" } ?? "-"),
                HTML.Cell(record.cost.map { "$" + $0.dollarsText } ?? "-"), HTML.Cell(record.degraded ?? ""),
            ]
        }
        var next = ""
        if records.count == query.limit, let last = records.last {
            var link = URLComponents()
            link.path = "/dashboard/requests"
            link.queryItems = [
                URLQueryItem(name: "route", value: route), URLQueryItem(name: "status", value: status.map(String.init)),
                URLQueryItem(name: "failed", value: failed ? "true" : nil), URLQueryItem(name: "before", value: last.id),
            ].filter { $0.value != nil }
            next = #"<p><a href="\#(HTML.escape(link.string ?? ""))">Older requests</a></p>"#
        }
        let header = ["started", "route", "model", "status", "error", "took", "attempts", "tokens", "cost", "degraded"]
        return HTML.page(
            "Requests",
            path: "/dashboard/requests",
            body: filters + HTML.table(header, rows, empty: "No request matches.") + next,
            viewer: viewer
        )
    }

    /// `/dashboard/requests/{id}`: one request, its attempts on a timeline, tokens, cost, degradation.
    func requestPage(id: String, viewer: DashboardViewer) async throws -> String {
        guard let record = try await log.requests(matching: RequestQuery(scope: viewer.scope, id: id, limit: 1)).first else {
            return HTML.page(
                "No request \(id)",
                path: "/dashboard/requests",
                body: "<p class=\"empty\">The log has no such request.</p>",
                viewer: viewer
            )
        }
        let facts: [[HTML.Cell]] = [
            ["started", HTML.Cell(Format.time(record.startedAt, hours: 0))], ["operation", HTML.Cell(record.operation)],
            ["API", HTML.Cell(record.api?.rawValue ?? "-")], ["route", HTML.Cell(record.route ?? "-")],
            ["answered by", HTML.Cell([record.model, record.provider].compactMap { $0 }.joined(separator: " at "))],
            ["status", HTML.Cell("\(record.status) \(record.errorCode ?? "")")], ["error", HTML.Cell(record.errorMessage ?? "")],
            ["took", HTML.Cell(String(format: "%.1f ms (upstream %.1f ms)", record.durationMs, record.upstreamMs ?? 0))],
            ["time to first token", HTML.Cell(Format.milliseconds(record.timeToFirstTokenMs))],
            ["tokens", HTML.Cell("\(record.inputTokens ?? 0) in, \(record.outputTokens ?? 0) out\(record.usageEstimated ? " (estimated)" : "")")],
            ["cost", HTML.Cell(record.cost.map { "$" + $0.dollarsText } ?? "-")],
            ["retries may have cost", HTML.Cell(record.retryCost.map { "$" + $0.dollarsText } ?? "-")],
            ["degraded", HTML.Cell(record.degraded ?? "no")], ["workflow", HTML.Cell(record.workflowID ?? "-")],
            ["replay of", HTML.Cell(record.replayOf ?? "-")],
        ]
        var body = HTML.table(["", ""], facts) + "<h2>Attempts</h2>" + timeline(record)
        if let reviews, case let held = try await reviews.reviews(ofRequest: record.id, in: viewer.scope), !held.isEmpty {
            let rows: [[HTML.Cell]] = held.map { review in
                let id =
                    viewer.key.allows(.review)
                    ? HTML.Cell.html(#"<a href="/dashboard/reviews/\#(HTML.escape(review.id))">\#(HTML.escape(review.id))</a>"#)
                    : HTML.Cell(review.id)
                return [
                    id, HTML.Cell(review.kind.rawValue), HTML.Cell(review.status(at: clock.now()).rawValue),
                    HTML.Cell(review.decision?.reviewer ?? "-"), HTML.Cell(review.decision?.reason ?? review.contestReason ?? ""),
                ]
            }
            body += "<h2>Reviews</h2>" + HTML.table(["review", "kind", "outcome", "reviewer", "reason"], rows)
        }
        if let requestBody = record.requestBody { body += "<h2>Request body</h2><pre>\(HTML.escape(requestBody))</pre>" }
        if let responseBody = record.responseBody { body += "<h2>Response body</h2><pre>\(HTML.escape(responseBody))</pre>" }
        return HTML.page("Request \(record.id)", path: "/dashboard/requests", body: body, viewer: viewer)
    }

    /// The attempts as bars on the request's own time axis.
    private func timeline(_ record: RequestRecord) -> String {
        guard !record.attempts.isEmpty else { return "<p class=\"empty\">No upstream call.</p>" }
        let total = max(record.durationMs, record.attempts.map { $0.startOffsetMs + $0.durationMs }.max() ?? 0, 0.001)
        let width = 560.0
        var svg = #"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 700 \#(record.attempts.count * 24 + 10)" role="img" aria-label="attempts">"#
        for (index, attempt) in record.attempts.enumerated() {
            let y = Double(index * 24 + 4)
            let x = 130 + width * attempt.startOffsetMs / total
            let barWidth = max(width * attempt.durationMs / total, 2)
            let color = attempt.error == nil ? "#1b7f3b" : "#b3261e"
            svg += #"<text x="0" y="\#(y + 13)" font-size="11">#\#(attempt.number) \#(HTML.escape(attempt.model))</text>"#
            svg += #"<rect x="\#(x)" y="\#(y)" width="\#(barWidth)" height="16" fill="\#(color)"/>"#
            let label = String(format: "%.1f ms", attempt.durationMs) + (attempt.error.map { " " + $0 } ?? "")
            svg += #"<text x="\#(min(x + barWidth + 4, 640))" y="\#(y + 13)" font-size="11">\#(HTML.escape(label))</text>"#
        }
        let rows: [[HTML.Cell]] = record.attempts.map { attempt in
            [
                "\(attempt.number)", HTML.Cell(attempt.model), HTML.Cell(attempt.provider),
                HTML.Cell(String(format: "+%.1f ms", attempt.startOffsetMs)),
                HTML.Cell(String(format: "%.1f ms", attempt.durationMs)), HTML.Cell(attempt.upstreamStatus.map(String.init) ?? "-"),
                HTML.Cell(attempt.error ?? "ok"),
            ]
        }
        return "<div class=\"chart timeline\">\(svg)</svg></div>"
            + HTML.table(["#", "model", "provider", "began", "took", "status", "outcome"], rows)
    }

    /// `/dashboard/operations`: circuit breakers, budgets, and the request log's backlog.
    func operationsPage(viewer: DashboardViewer) async throws -> String {
        let breakers: [[HTML.Cell]] = health.breakerStates.map { entry in
            let state = entry.state.rawValue
            return [
                HTML.Cell(entry.deployment.name), HTML.Cell(entry.deployment.provider),
                .html(entry.state == .closed ? state : "<b class=\"bad\">\(state)</b>"),
            ]
        }
        let visible = try await budgets.spend().filter { viewer.sees($0.budget) }
        let spend: [[HTML.Cell]] = visible.map { entry in
            let used = entry.budget.limit.picodollars == 0 ? 0 : Double(entry.spent.picodollars) / Double(entry.budget.limit.picodollars)
            let bar =
                #"<svg width="160" height="10" role="img" aria-label="used"><rect width="160" height="10" fill="rgb(227,230,234)"/><rect width="\#(min(used, 1) * 160)" height="10" fill="\#(used >= 1 ? "rgb(179,38,30)" : "rgb(37,99,235)")"/></svg>"#
            return [
                HTML.Cell("\(entry.budget.scope)"), HTML.Cell(entry.budget.window.rawValue), HTML.Cell("$" + entry.spent.dollarsText),
                HTML.Cell("$" + entry.budget.limit.dollarsText), .html(bar + " " + HTML.escape(Format.percent(used))),
            ]
        }
        var body = "<h2>Circuit breakers</h2>" + HTML.table(["deployment", "provider", "state"], breakers)
        body += "<h2>Budgets</h2>" + HTML.table(["budget", "window", "spent", "limit", "used"], spend, empty: "No budgets are configured.")
        if let backlog {
            body +=
                "<h2>Request log</h2>"
                + HTML.tiles([("Waiting to be written", "\(backlog.queueDepth)"), ("Dropped (must stay 0)", "\(backlog.droppedRecords)")])
        }
        return HTML.page("Breakers & budgets", path: "/dashboard/operations", body: body, viewer: viewer)
    }

    /// `/dashboard/workflows`: execution figures by route and the most recently active workflows.
    func workflowsPage(viewer: DashboardViewer) async throws -> String {
        let report = try await workflows.report(days: 7, in: viewer.scope)
        let figures: [[HTML.Cell]] = (report.lines + (report.lines.isEmpty ? [] : [report.total])).map { line in
            [
                HTML.Cell(line.route ?? "total"), "\(line.started)", "\(line.completed)", "\(line.abandoned)", "\(line.active)",
                HTML.Cell(Format.percent(line.completionRate)), HTML.Cell(line.retriesPerWorkflow.map { String(format: "%.2f", $0) } ?? "-"),
                HTML.Cell(line.costPerCompletedWorkflow.map { "$" + $0.dollarsText } ?? "-"),
                HTML.Cell(line.costPerStep.map { "$" + $0.dollarsText } ?? "-"),
                "\(line.compactions)", HTML.Cell(Format.percent(line.consistency.identicalShare)),
            ]
        }
        let recent: [[HTML.Cell]] = try await workflows.store.workflows(id: nil, status: nil, limit: 50, in: viewer.scope).map { workflow in
            [
                HTML.Cell(workflow.id), HTML.Cell(workflow.route ?? "-"), HTML.Cell(workflow.status.rawValue),
                HTML.Cell(Format.time(workflow.updatedAt, hours: 0)),
            ]
        }
        let header = [
            "route", "started", "completed", "abandoned", "active", "completion", "retries/wf", "cost/completed", "cost/step", "compactions",
            "identical answers",
        ]
        let body =
            "<h2>Last 7 days</h2>" + HTML.table(header, figures, empty: "No workflow started in the last 7 days.")
            + "<h2>Recently active</h2>" + HTML.table(["workflow", "route", "status", "last active"], recent, empty: "No workflows.")
        return HTML.page("Workflows", path: "/dashboard/workflows", body: body, viewer: viewer)
    }
}

/// How the dashboard writes figures.
enum Format {
    static func percent(_ share: Double?) -> String { share.map { String(format: "%.1f%%", $0 * 100) } ?? "-" }
    static func milliseconds(_ value: Double?) -> String { value.map { String(format: "%.1f ms", $0) } ?? "-" }

    /// A UTC time: with the date when the period is long (or for a single moment, `hours` 0).
    static func time(_ date: Date, hours: Int) -> String {
        let text = ISO8601DateFormatter.keel.string(from: date)
        guard hours > 0, hours <= 24 else { return String(text.prefix(19)).replacingOccurrences(of: "T", with: " ") }
        return String(text.dropFirst(11).prefix(5))
    }
}
