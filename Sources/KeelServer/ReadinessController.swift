import Foundation
import Hummingbird
import KeelCore

/// `/api/readiness` and the dashboard's readiness page: for each chat route, the five checks a
/// rollout needs with their evidence and what is missing. For operators, who roll routes out.
public struct ReadinessController: Sendable {
    /// The reports of every chat route, or of the one named; 404 for an unknown route.
    public typealias Reports = @Sendable (_ route: String?) async throws -> [ReadinessReport]

    let reports: Reports

    public init(reports: @escaping Reports) { self.reports = reports }

    public func addRoutes(to routes: KeelRoutes) {
        routes.get("/api/readiness", access: .requires(.operate)) { _, _ in
            .json(["object": "list", "data": .array(try await reports(nil).map { .object($0.json) })])
        }
        routes.get("/api/readiness/{route}", access: .requires(.operate)) { _, context in
            .json(.object(try await reports(try context.parameters.require("route"))[0].json))
        }
        routes.get("/dashboard/readiness", access: .page(.operate)) { request, context in
            let viewer = DashboardViewer(
                key: try context.caller(),
                formToken: request.cookie(DashboardSessions.cookieName).map(DashboardSessions.formToken(secret:))
            )
            return .html(Self.page(try await reports(nil), viewer: viewer))
        }
    }

    static func page(_ reports: [ReadinessReport], viewer: DashboardViewer) -> String {
        var body = "<p>What each route holds of the five checks a rollout needs (<code>keel readiness ROUTE</code>).</p>"
        if reports.isEmpty { body += "<p class=\"empty\">No chat route.</p>" }
        for report in reports {
            let failing = report.findings.filter { !$0.passed }.count
            let state =
                report.ready
                ? "<span class=\"ok\">ready</span>" : "<span class=\"bad\">not ready: \(failing) of \(report.findings.count) checks fail</span>"
            body += "<h2 id=\"\(HTML.escape(report.route))\">\(HTML.escape(report.route)): \(state)</h2>"
            let rows: [[HTML.Cell]] = report.findings.map { finding in
                let lines = finding.evidence.map(HTML.escape) + finding.missing.map { "<span class=\"bad\">missing: \(HTML.escape($0))</span>" }
                return [
                    .html("<span class=\"\(finding.passed ? "ok" : "bad")\">\(finding.passed ? "✓" : "✗")</span>"), HTML.Cell(finding.check.title),
                    .html(lines.joined(separator: "<br>")),
                ]
            }
            body += HTML.table(["", "check", "evidence"], rows)
        }
        return HTML.page("Readiness", path: "/dashboard/readiness", body: body, viewer: viewer)
    }
}
