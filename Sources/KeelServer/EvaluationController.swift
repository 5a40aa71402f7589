import Foundation
import Hummingbird
import KeelCore

/// `/api/evaluations`: the caller's team's runs, a run's report with every result, and two runs
/// compared; `/api/feedback`: what applications say of their answers.
public struct EvaluationController: Sendable {
    let reports: EvaluationReports
    let feedback: any FeedbackStore
    let log: any RequestLogStore
    /// Writes the request log's queue now: feedback may come before its request's row is written.
    let flushLog: @Sendable () async -> Void
    let clock: KeelClock

    public init(
        reports: EvaluationReports,
        feedback: any FeedbackStore,
        log: any RequestLogStore,
        flushLog: @escaping @Sendable () async -> Void = {},
        clock: KeelClock = .system
    ) {
        self.reports = reports
        self.feedback = feedback
        self.log = log
        self.flushLog = flushLog
        self.clock = clock
    }

    public func addRoutes(to routes: KeelRoutes) {
        routes.get("/api/evaluations", access: .requires(.read)) { request, context in
            let caller = try context.caller()
            let prompt = request.uri.queryParameters["prompt"].map { RegistryName(team: caller.team, name: String($0)) }
            let runs = try await reports.evaluations.runs(in: caller.scope, prompt: prompt, limit: Self.limit(request))
            return .json(["object": "list", "data": .array(runs.map { .object($0.json) })])
        }
        routes.get("/api/evaluations/{id}", access: .requires(.read)) { _, context in
            let (report, results, _) = try await reports.report(try context.parameters.require("id"), in: try context.caller().scope)
            var object = report.json
            object["results"] = .array(results.map { .object($0.json) })
            return .json(.object(object))
        }
        routes.get("/api/evaluations/{id}/compare/{candidate}", access: .requires(.read)) { _, context in
            let comparison = try await reports.compare(
                try context.parameters.require("id"),
                try context.parameters.require("candidate"),
                in: try context.caller().scope
            )
            return .json(.object(comparison.json))
        }
        routes.post("/api/feedback", access: .requires(.callModels)) { request, context in
            try await record(request, caller: try context.caller())
        }
        routes.get("/api/feedback", access: .requires(.read)) { request, context in
            let items = try await feedback.recentFeedback(in: try context.caller().scope, limit: Self.limit(request))
            return .json(["object": "list", "data": .array(items.map { .object($0.json) })])
        }
    }

    /// Keeps feedback on a request the caller may see, under the request's team.
    private func record(_ request: Request, caller: APIKey) async throws -> Response {
        var request = request
        var item = try Feedback(body: try await request.jsonBody(limit: 1 << 20), caller: caller, at: clock.now())
        guard let logged = try await loggedRequest(item.requestID, scope: caller.scope) else {
            throw KeelError(.notFound, "There is no request '\(item.requestID)' of yours: send the x-request-id of an answer.", param: "request_id")
        }
        item.team = logged.team
        try await feedback.insert(item)
        return .json(.object(item.json), status: .created)
    }

    private func loggedRequest(_ id: String, scope: TeamScope) async throws -> RequestRecord? {
        let query = RequestQuery(scope: scope, id: id, limit: 1)
        if let record = try await log.requests(matching: query).first { return record }
        await flushLog()
        return try await log.requests(matching: query).first
    }

    private static func limit(_ request: Request) -> Int {
        request.uri.queryParameters["limit"].flatMap { Int($0) }.map { min(max($0, 1), 500) } ?? 50
    }
}
