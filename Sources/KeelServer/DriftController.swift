import Foundation
import Hummingbird
import KeelCore

/// `/api/drift` and the dashboard's drift page: each monitored route's state and, per feature, the
/// latest test, the baseline's and current window's distributions and the score's history. A
/// route's drift sums every team's traffic on it, so these need the permission `/metrics` needs.
public struct DriftController: Sendable {
    let reports: DriftReports

    public init(reports: DriftReports) { self.reports = reports }

    public func addRoutes(to routes: KeelRoutes) {
        routes.get("/api/drift", access: .requires(.readMetrics)) { _, _ in
            var data: [JSONValue] = []
            for route in reports.monitors.keys.sorted() {
                let latest = try await reports.store.judgements(route: route, limit: 1).first
                data.append([
                    "route": .string(route), "state": JSONValue(latest?.state.rawValue),
                    "window_start": JSONValue(latest.map { ISO8601DateFormatter.keel.string(from: $0.windowStart) }),
                    "alerts": .array((latest?.alerts ?? []).map(JSONValue.string)),
                ])
            }
            return .json(["object": "list", "data": .array(data)])
        }
        routes.get("/api/drift/{route}", access: .requires(.readMetrics)) { _, context in
            .json(.object(try await reports.report(try context.parameters.require("route")).json))
        }
        routes.get("/dashboard/drift", access: .page(.readMetrics)) { request, context in
            let key = try context.caller()
            let token = request.cookie(DashboardSessions.cookieName).map(DashboardSessions.formToken(secret:))
            return .html(try await page(DashboardViewer(key: key, formToken: token)))
        }
    }

    private func page(_ viewer: DashboardViewer) async throws -> String {
        guard !reports.monitors.isEmpty else {
            return HTML.page(
                "Drift",
                path: "/dashboard/drift",
                body: "<p class=\"empty\">No route has a drift monitor (a route's <code>drift</code> section).</p>",
                viewer: viewer
            )
        }
        var body = ""
        for route in reports.monitors.keys.sorted() {
            body += Self.section(try await reports.report(route))
        }
        return HTML.page("Drift", path: "/dashboard/drift", body: body, viewer: viewer)
    }

    /// A route's report as a page of its own (`keel drift report --html`): nothing fetched, no script.
    public static func document(_ report: DriftReport) -> String {
        "\(HTML.head("Drift of \(report.route)"))<body><main><h1>Drift of \(HTML.escape(report.route))</h1>\(section(report))</main></body></html>"
    }

    /// One route: its state, a table of the features' tests, and each judged feature's distributions and history.
    static func section(_ report: DriftReport) -> String {
        let state = report.state.map { "<span class=\"\($0 == .drifting ? "bad" : "ok")\">\($0.rawValue)</span>" } ?? "not judged yet"
        var html = "<h2>\(HTML.escape(report.route)): \(state)</h2>"
        let rows: [[HTML.Cell]] = report.features.map { feature in
            guard let finding = feature.finding else {
                return [HTML.Cell(feature.name), HTML.Cell(feature.kind.rawValue), "-", "-", "-", "not judged"]
            }
            return [
                HTML.Cell(feature.name), HTML.Cell(feature.kind.rawValue), HTML.Cell(finding.test.rawValue),
                HTML.Cell(String(format: "%.4g", finding.value)),
                HTML.Cell(String(format: "%.4g", finding.threshold)),
                .html("<span class=\"\(finding.drifted ? "bad" : "ok")\">\(finding.drifted ? "drift, \(finding.streak) window(s)" : "ok")</span>"),
            ]
        }
        html += HTML.table(["feature", "kind", "test", "value", "threshold", "verdict"], rows)
        let charts = report.features.filter { !$0.bins.isEmpty }.flatMap { feature in
            [
                Chart(
                    title: "\(feature.name): baseline and current (share)",
                    series: [
                        .init(name: "baseline", color: "#6b7280", values: feature.baselineShares),
                        .init(name: "current", color: "#2563eb", values: feature.currentShares),
                    ],
                    labels: feature.bins,
                    format: { String(format: "%.2f", $0) }
                ),
                Chart(
                    title: "\(feature.name): \(feature.finding?.test.rawValue ?? "score") by window",
                    series: [.init(name: "score", color: "#d97706", values: feature.history.map(\.value))],
                    labels: feature.history.map { String(ISO8601DateFormatter.keel.string(from: $0.start).prefix(16)) },
                    format: { String(format: "%.3g", $0) }
                ),
            ]
        }
        return html + "<div class=\"charts\">" + charts.map(\.svg).joined() + "</div>"
    }
}
