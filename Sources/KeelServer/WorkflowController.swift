import Foundation
import Hummingbird
import KeelCore

/// Workflows under `/api/workflows`: list, a workflow with its step timeline (the export), and
/// completing one; their execution figures at `/api/workflow-report`. Admin keys see every workflow;
/// an app key may complete only its own.
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

    /// `GET /api/workflows?status=open|completed&limit=N`, most recently active first.
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
        let workflows = try await store.workflows(status: status, limit: limit)
        return .json(["object": "list", "data": .array(workflows.map(\.json))])
    }

    /// `GET /api/workflows/{id}`: the workflow and every step, with inputs, outputs, usage and cost.
    private func show(_ request: Request, id: String) async throws -> Response {
        _ = try await authenticator.authenticate(request.bearerToken, requiring: .viewer)
        guard let workflow = try await store.workflow(id: id) else { throw KeelError(.notFound, "No workflow '\(id)'.") }
        return .json(workflow.json(steps: try await store.steps(of: id)))
    }

    /// `POST /api/workflows/{id}/complete`: the work is done; later steps are refused.
    private func complete(_ request: Request, id: String) async throws -> Response {
        let caller = try await authenticator.authenticate(request.bearerToken, requiring: .app)
        guard let workflow = try await store.workflow(id: id), caller.role == .admin || workflow.keyID == caller.id else {
            throw KeelError(.notFound, "No workflow '\(id)' belongs to this API key.")
        }
        return .json(try await store.complete(id, now: reporter.clock.now())?.json ?? workflow.json)
    }
}
