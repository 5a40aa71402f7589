import Foundation
import HTTPTypes
import Hummingbird
import KeelCore

/// The dashboard's review queue: what waits for a decision, one review with the forms that claim
/// and decide it, and the error distribution the decisions give. For keys that may review; the
/// forms are refused from another origin and without the session's token.
extension DashboardController {
    func addReviewRoutes(to routes: KeelRoutes, queue: ReviewQueue) {
        routes.get("/dashboard/reviews", access: .page(.review)) { request, context in
            .html(try await reviewsPage(queue, viewer: try viewer(request, context)))
        }
        routes.get("/dashboard/reviews/{id}", access: .page(.review)) { request, context in
            .html(try await reviewPage(queue, id: try context.parameters.require("id"), viewer: try viewer(request, context), problem: nil))
        }
        routes.post("/dashboard/reviews/{id}", access: .page(.review)) { request, context in
            try await act(on: try context.parameters.require("id"), request, queue: queue, viewer: try viewer(request, context))
        }
    }

    private func viewer(_ request: Request, _ context: KeelRequestContext) throws -> DashboardViewer {
        DashboardViewer(key: try context.caller(), formToken: request.cookie(DashboardSessions.cookieName).map(DashboardSessions.formToken(secret:)))
    }

    /// `/dashboard/reviews`: the open reviews, oldest due first, the latest decisions, the error rates.
    func reviewsPage(_ queue: ReviewQueue, viewer: DashboardViewer) async throws -> String {
        let now = clock.now()
        let open = try await queue.list([.pending, .claimed], in: viewer.scope, limit: 500).sorted { $0.dueAt < $1.dueAt }
        let decided = try await queue.list([.approved, .edited, .rejected], in: viewer.scope, limit: 5_000)
        let rows: [[HTML.Cell]] = open.map { review in
            [
                .html(#"<a href="/dashboard/reviews/\#(HTML.escape(review.id))">\#(HTML.escape(review.id))</a>"#), HTML.Cell(review.kind.rawValue),
                HTML.Cell(review.route), HTML.Cell(review.tier.rawValue), HTML.Cell(review.category ?? "-"),
                HTML.Cell(review.reasons.joined(separator: "; ")), HTML.Cell(Format.time(review.createdAt, hours: 0)),
                review.dueAt < now ? .html("<span class=\"bad\">overdue</span>") : HTML.Cell(Format.time(review.dueAt, hours: 0)),
                HTML.Cell(review.status(at: now) == .claimed ? "claimed by \(review.claim?.reviewer ?? "")" : "pending"),
            ]
        }
        var body = HTML.tiles([("Waiting", "\(open.count)"), ("Overdue", "\(open.filter { $0.dueAt < now }.count)"), ("Decided", "\(decided.count)")])
        body += "<h2>Waiting for a decision</h2>"
        body += HTML.table(
            ["review", "kind", "route", "tier", "category", "why", "held since", "due", "state"],
            rows,
            empty: "Nothing waits for a decision."
        )
        let errors = ReviewErrors(decided)
        let groupRows: [[HTML.Cell]] = ([errors.overall] + errors.cells).map { group in
            [
                HTML.Cell(group.category ?? "all"), HTML.Cell(group.tier?.rawValue ?? "all"), "\(group.reviewed)", "\(group.errors)",
                HTML.Cell(group.rate.map { Format.percent($0) } ?? "-"),
                HTML.Cell("\(Format.percent(group.interval.lower)) – \(Format.percent(group.interval.upper))"),
            ]
        }
        body += "<h2>Error rate of the model's answers, as reviewed</h2>"
        body += HTML.table(
            ["category", "tier", "reviewed", "edited or rejected", "error rate", "95 % interval"],
            decided.isEmpty ? [] : groupRows,
            empty: "No decision yet."
        )
        return HTML.page("Reviews", path: "/dashboard/reviews", body: body, viewer: viewer)
    }

    /// `/dashboard/reviews/{id}`: why the case is held, what was asked and answered, and the forms.
    func reviewPage(_ queue: ReviewQueue, id: String, viewer: DashboardViewer, problem: String?) async throws -> String {
        let review = try await queue.review(id, in: viewer.scope)
        let now = clock.now()
        var body = problem.map { "<p class=\"bad\">\(HTML.escape($0))</p>" } ?? ""
        body +=
            "<p>\(HTML.escape(review.kind == .hold ? "Held" : "Contested")) request \(HTML.escape(review.requestID)) on route \(HTML.escape(review.route)) · \(HTML.escape(review.tier.rawValue)) tier · \(HTML.escape(review.status(at: now).rawValue))</p>"
        body += "<h2>Why</h2><ul>" + review.reasons.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ul>"
        if let variables = review.request["variables"] ?? review.request["prompt"]?.objectValue?["variables"] {
            body += "<h2>Input</h2><pre>\(HTML.escape(variables.stringValue ?? variables.jsonString))</pre>"
        }
        let messages = (review.request["messages"]?.arrayValue ?? []).compactMap(\.objectValue).map { message in
            "\(message["role"]?.stringValue ?? "?"): \(message["content"]?.stringValue ?? message["content"]?.jsonString ?? "")"
        }
        if !messages.isEmpty { body += "<h2>Messages</h2><pre>\(HTML.escape(messages.joined(separator: "\n\n")))</pre>" }
        let answer = review.answer?.content ?? ""
        body += "<h2>The model's answer</h2><pre>\(HTML.escape(review.answer == nil ? "(not kept)" : answer))</pre>"
        if let decision = review.decision {
            body +=
                "<h2>Decision</h2><p>\(HTML.escape(decision.verdict.rawValue)) by \(HTML.escape(decision.reviewer)) at \(HTML.escape(Format.time(decision.decidedAt, hours: 0)))"
            body += decision.reason.map { ": \(HTML.escape($0))" } ?? ""
            body += "</p>" + (decision.edit.map { "<pre>\(HTML.escape($0))</pre>" } ?? "")
        } else if let token = viewer.formToken {
            let hidden = #"<input type="hidden" name="token" value="\#(token)">"#
            let action = "/dashboard/reviews/\(HTML.escape(review.id))"
            body += """
                <h2>Decide</h2>
                <form class="filters" method="post" action="\(action)">\(hidden)<button name="action" value="claim">Claim</button></form>
                <form class="filters" method="post" action="\(action)">\(hidden)<label>reason (optional)<input name="reason" size="40"></label><button name="action" value="approved">Approve</button></form>
                <form method="post" action="\(action)">\(hidden)<label>answer to release<br><textarea name="answer" rows="6" cols="90">\(HTML.escape(answer))</textarea></label><br>
                <label>reason <input name="reason" size="40"></label> <button name="action" value="edited">Release this edit</button></form>
                <form class="filters" method="post" action="\(action)">\(hidden)<label>reason<input name="reason" size="40" required></label><button name="action" value="rejected">Reject</button></form>
                """
        } else {
            body += "<p class=\"empty\">Sign in to the dashboard to decide here, or use /api/reviews.</p>"
        }
        return HTML.page("Review \(review.id)", path: "/dashboard/reviews", body: body, viewer: viewer)
    }

    /// A posted form: claim or decide, then back to the review (with the problem when it did not land).
    private func act(on id: String, _ request: Request, queue: ReviewQueue, viewer: DashboardViewer) async throws -> Response {
        var request = request
        let form = Self.form(String(decoding: try await request.collectBody(limit: 1 << 20), as: UTF8.self))
        guard request.isSameOrigin, let token = viewer.formToken, form["token"] == token else {
            throw KeelError(.insufficientRole, "Review forms are only accepted from this dashboard's own pages.")
        }
        do {
            switch form["action"] {
            case "claim":
                _ = try await queue.claim(id, by: ReviewQueue.Reviewer(viewer.key))
            case let action?:
                guard let verdict = ReviewDecision.Verdict(rawValue: action) else { throw KeelError(.invalidValue, "'\(action)' is not a decision.") }
                _ = try await queue.decide(
                    id,
                    verdict,
                    reason: form["reason"],
                    edit: verdict == .edited ? form["answer"] : nil,
                    by: ReviewQueue.Reviewer(viewer.key)
                )
            case nil:
                throw KeelError(.missingField, "The form names no action.")
            }
        } catch let error as KeelError where error.code.category != .internalError && error.code.category != .notFound {
            var response = Response.html(try await reviewPage(queue, id: id, viewer: viewer, problem: error.message))
            response.status = HTTPResponse.Status(code: error.status)
            return response
        }
        return .redirect(to: "/dashboard/reviews/\(id)", type: .normal)
    }
}
