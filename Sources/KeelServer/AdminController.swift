import Foundation
import HTTPTypes
import Hummingbird
import KeelCore

/// Keel's own read-only API under `/api` (request log, cost reports, breakers), for viewer and admin keys.
public struct AdminController<Context: RequestContext>: Sendable {
    let authenticator: KeyAuthenticator
    let log: any RequestLogStore
    let costs: any CostStore
    let health: UpstreamHealth
    let clock: KeelClock

    public init(authenticator: KeyAuthenticator, log: any RequestLogStore, costs: any CostStore, health: UpstreamHealth, clock: KeelClock = .system) {
        self.authenticator = authenticator
        self.log = log
        self.costs = costs
        self.health = health
        self.clock = clock
    }

    public func addRoutes(to group: RouterGroup<Context>) {
        group.get("requests") { request, _ in try await requests(request) }
        group.get("breakers") { request, _ in try await breakers(request) }
        group.get("cost") { request, _ in try await cost(request) }
        group.get("cost/inflation") { request, _ in try await inflation(request) }
    }

    /// `GET /api/cost?by=key|team|route|model|day&days=N`: spend over the last N UTC days (7 unless
    /// given), summed by one dimension, with the total.
    private func cost(_ request: Request) async throws -> Response {
        _ = try await authenticator.authenticate(request.bearerToken, requiring: .viewer)
        let parameters = request.uri.queryParameters
        let by = parameters["by"].map(String.init) ?? "route"
        guard let grouping = CostReport.Grouping(rawValue: by) else {
            let choices = CostReport.Grouping.allCases.map(\.rawValue).joined(separator: ", ")
            throw KeelError(.invalidValue, "Query parameter 'by' must be one of \(choices).", param: "by")
        }
        let period = CostReport.lastDays(try request.reportDays(), now: clock.now())
        return .json(try await costs.report(by: grouping, since: period.since, until: period.until).json)
    }

    /// `GET /api/cost/inflation?days=N`: input tokens per request of each route, day by day.
    private func inflation(_ request: Request) async throws -> Response {
        _ = try await authenticator.authenticate(request.bearerToken, requiring: .viewer)
        let period = CostReport.lastDays(try request.reportDays(), now: clock.now())
        return .json(PromptInflation(try await costs.promptSizes(since: period.since, until: period.until)).json)
    }

    /// `GET /api/breakers`: each deployment's circuit breaker.
    private func breakers(_ request: Request) async throws -> Response {
        _ = try await authenticator.authenticate(request.bearerToken, requiring: .viewer)
        let data: [JSONValue] = health.breakerStates.map { entry in
            ["deployment": .string(entry.deployment.name), "provider": .string(entry.deployment.provider), "state": .string(entry.state.rawValue)]
        }
        return .json(["object": "list", "data": .array(data)])
    }

    /// `GET /api/requests?route=&key=&status=&failed=true&since=UNIX&before=ID&limit=N`, newest first;
    /// `next` is the `before` value of the following page.
    private func requests(_ request: Request) async throws -> Response {
        _ = try await authenticator.authenticate(request.bearerToken, requiring: .viewer)
        let parameters = request.uri.queryParameters
        func integer(_ name: String) throws -> Int? {
            guard let text = parameters[name[...]] else { return nil }
            guard let value = Int(text) else {
                throw KeelError(.invalidValue, "Query parameter '\(name)' must be an integer.", param: name)
            }
            return value
        }
        let limit = try integer("limit") ?? 50
        guard (1...1000).contains(limit) else {
            throw KeelError(.invalidValue, "Query parameter 'limit' must be between 1 and 1000.", param: "limit")
        }
        let query = RequestQuery(
            route: parameters["route"].map(String.init),
            keyID: parameters["key"].map(String.init),
            status: try integer("status"),
            failedOnly: parameters["failed"] == "true",
            since: try integer("since").map { Date(timeIntervalSince1970: Double($0)) },
            before: parameters["before"].map(String.init),
            limit: limit
        )
        let records = try await log.requests(matching: query)
        let next: JSONValue = records.count == limit ? JSONValue(records.last?.id) : .null
        return .json(["object": "list", "data": .array(records.map(\.json)), "next": next])
    }
}
