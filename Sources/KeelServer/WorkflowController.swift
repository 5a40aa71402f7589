import Foundation
import Hummingbird
import KeelCore

/// Workflows under `/api/workflows`: list, a workflow with its step timeline (the export), and
/// completing one; their execution figures at `/api/workflow-report`. A workflow is named by its
/// id within the API key that started it (`?key=KEY_ID` picks one when several keys used an id).
/// Admin keys see every workflow; an app key may complete only its own.
public struct WorkflowController<Context: RequestContext>: Sendable {
    let authenticator: KeyAuthenticator
    let reporter: WorkflowReporter
    var store: any WorkflowStore { reporter.store }

    public init(authenticator: KeyAuthenticator, reporter: WorkflowReporter) {
        self.authenticator = authenticator
        self.reporter = reporter
    }

    public func addRoutes(to group: RouterGroup<Context>) {
        group.get("workflows") { request, _ in try await list(request) }
        group.get("workflows/{id}") { request, context in try await show(request, id: context.parameters.require("id")) }
        group.post("workflows/{id}/complete") { request, context in try await complete(request, id: context.parameters.require("id")) }
        group.get("workflow-report") { request, _ in try await report(request) }
    }

    /// `GET /api/workflow-report?days=N`: completion, retries, cost per completed workflow, compactions
    /// and output consistency of the workflows started in the last N UTC days (7 unless given), by route.
    private func report(_ request: Request) async throws -> Response {
        _ = try await authenticator.authenticate(request.bearerToken, requiring: .viewer)
        return .json(try await reporter.report(days: try request.reportDays()).json)
    }

    /// `GET /api/workflows?status=open|completed&id=ID&limit=N`, most recently active first.
    private func list(_ request: Request) async throws -> Response {
        _ = try await authenticator.authenticate(request.bearerToken, requiring: .viewer)
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
        let workflows = try await store.workflows(id: parameters["id"].map(String.init), status: status, limit: limit)
        return .json(["object": "list", "data": .array(workflows.map(\.json))])
    }

    /// `GET /api/workflows/{id}?key=KEY_ID`: the workflow and every step, with inputs, outputs, usage and cost.
    private func show(_ request: Request, id: String) async throws -> Response {
        _ = try await authenticator.authenticate(request.bearerToken, requiring: .viewer)
        let workflow = try await store.resolve(id: id, keyID: request.uri.queryParameters["key"].map(String.init))
        return .json(workflow.json(steps: try await store.steps(of: workflow.ref)))
    }

    /// `POST /api/workflows/{id}/complete`: the work is done; later steps are refused. An app key
    /// completes its own workflow of that id; an admin key any (`?key=KEY_ID` when several).
    private func complete(_ request: Request, id: String) async throws -> Response {
        let caller = try await authenticator.authenticate(request.bearerToken, requiring: .app)
        let keyID = caller.role == .admin ? request.uri.queryParameters["key"].map(String.init) : caller.id
        let workflow = try await store.resolve(id: id, keyID: keyID)
        return .json(try await store.complete(workflow.ref, now: reporter.clock.now())?.json ?? workflow.json)
    }
}
