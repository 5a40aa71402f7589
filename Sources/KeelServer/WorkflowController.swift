import Foundation
import Hummingbird
import KeelCore

/// Workflows under `/api/workflows`: list, a workflow with its step timeline (the export), and
/// completing one; their execution figures at `/api/workflow-report`. A workflow is named by its
/// id within the API key that started it (`?key=KEY_ID` picks one when several keys used an id).
/// Readers see their team's workflows (an admin every team's); an app key completes its own, an
/// operator its team's, an admin any.
public struct WorkflowController: Sendable {
    let reporter: WorkflowReporter
    var store: any WorkflowStore { reporter.store }

    public init(reporter: WorkflowReporter) {
        self.reporter = reporter
    }

    public func addRoutes(to routes: KeelRoutes) {
        routes.get("/api/workflows", access: .requires(.read)) { request, context in try await list(request, scope: context.caller().scope) }
        routes.get("/api/workflows/{id}", access: .requires(.read)) { request, context in
            try await show(request, id: context.parameters.require("id"), scope: context.caller().scope)
        }
        routes.post("/api/workflows/{id}/complete", access: .requiresAny([.completeOwnWorkflows, .operate])) { request, context in
            try await complete(request, id: context.parameters.require("id"), caller: context.caller())
        }
        routes.get("/api/workflow-report", access: .requires(.read)) { request, context in try await report(request, scope: context.caller().scope) }
    }

    /// `GET /api/workflow-report?days=N`: completion, retries, cost per completed workflow, compactions
    /// and output consistency of the workflows started in the last N UTC days (7 unless given), by route.
    private func report(_ request: Request, scope: TeamScope) async throws -> Response {
        .json(try await reporter.report(days: try request.reportDays(), in: scope).json)
    }

    /// `GET /api/workflows?status=open|completed&id=ID&limit=N`, most recently active first.
    private func list(_ request: Request, scope: TeamScope) async throws -> Response {
        let parameters = request.uri.queryParameters
        let status = try parameters["status"].map { text in
            guard let status = Workflow.Status(rawValue: String(text)) else {
                throw KeelError(.invalidValue, "Query parameter 'status' must be 'open' or 'completed'.", param: "status")
            }
            return status
        }
        let limit = parameters["limit"].flatMap { Int($0) } ?? 50
        guard (1...1000).contains(limit) else {
            throw KeelError(.invalidValue, "Query parameter 'limit' must be between 1 and 1000.", param: "limit")
        }
        let workflows = try await store.workflows(id: parameters["id"].map(String.init), status: status, limit: limit, in: scope)
        return .json(["object": "list", "data": .array(workflows.map(\.json))])
    }

    /// `GET /api/workflows/{id}?key=KEY_ID`: the workflow and every step, with inputs, outputs, usage and cost.
    private func show(_ request: Request, id: String, scope: TeamScope) async throws -> Response {
        let workflow = try await store.resolve(id: id, keyID: request.uri.queryParameters["key"].map(String.init), in: scope)
        return .json(workflow.json(steps: try await store.steps(of: workflow.ref)))
    }

    /// `POST /api/workflows/{id}/complete?key=KEY_ID`: the work is done; later steps are refused.
    private func complete(_ request: Request, id: String, caller: APIKey) async throws -> Response {
        let named = request.uri.queryParameters["key"].map(String.init)
        let workflow: Workflow
        if caller.allows(.operate) {
            workflow = try await store.resolve(id: id, keyID: named, in: caller.scope)
        } else {
            workflow = try await store.resolve(id: id, keyID: caller.id, in: caller.scope)
        }
        return .json(try await store.complete(workflow.ref, now: reporter.clock.now())?.json ?? workflow.json)
    }
}
