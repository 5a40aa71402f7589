import Foundation
import HTTPTypes
import Hummingbird
import KeelCore

/// Keel's own API under `/api`: the request log, cost reports and breakers for keys that may read
/// (scoped to the caller's team unless it is an admin's), and the keys themselves.
public struct AdminController: Sendable {
    let log: any RequestLogStore
    let costs: any CostStore
    let keys: any APIKeyStore
    let sessions: any SessionStore
    let authenticator: KeyAuthenticator
    let health: UpstreamHealth
    let audit: AuditTrail?
    let clock: KeelClock

    public init(
        log: any RequestLogStore,
        costs: any CostStore,
        keys: any APIKeyStore,
        sessions: any SessionStore,
        authenticator: KeyAuthenticator,
        health: UpstreamHealth,
        audit: AuditTrail? = nil,
        clock: KeelClock = .system
    ) {
        self.log = log
        self.costs = costs
        self.keys = keys
        self.sessions = sessions
        self.authenticator = authenticator
        self.health = health
        self.audit = audit
        self.clock = clock
    }

    public func addRoutes(to routes: KeelRoutes) {
        routes.get("/api/requests", access: .requires(.read)) { request, context in try await requests(request, scope: context.caller().scope) }
        routes.get("/api/breakers", access: .requires(.read)) { _, _ in breakers() }
        routes.get("/api/cost", access: .requires(.read)) { request, context in try await cost(request, scope: context.caller().scope) }
        routes.get("/api/cost/inflation", access: .requires(.read)) { request, context in
            try await inflation(request, scope: context.caller().scope)
        }
        routes.get("/api/keys", access: .requires(.read)) { _, context in try await listKeys(scope: context.caller().scope) }
        routes.post("/api/keys", access: .requires(.administer)) { request, context in try await createKey(request, by: try context.caller()) }
        routes.post("/api/keys/{id}/revoke", access: .requires(.administer)) { _, context in
            try await revoke(id: context.parameters.require("id"), by: try context.caller())
        }
        routes.get("/api/audit", access: .requires(.administer)) { request, _ in try await auditRecords(request) }
    }

    /// `GET /api/audit?from=SEQUENCE&limit=N`: the audit trail in order, with each record's hashes;
    /// `next` is the `from` of the following page.
    private func auditRecords(_ request: Request) async throws -> Response {
        guard let audit else { throw KeelError(.notFound, "This server keeps no audit trail.") }
        let from = try request.integerParameter("from") ?? 1
        let limit = try request.integerParameter("limit") ?? 100
        guard (1...1000).contains(limit) else {
            throw KeelError(.invalidValue, "Query parameter 'limit' must be between 1 and 1000.", param: "limit")
        }
        let records = try await audit.store.auditRecords(from: from, limit: limit)
        let next: JSONValue = records.count == limit ? JSONValue((records.last?.sequence ?? 0) + 1) : .null
        return .json(["object": "list", "data": .array(records.map { .object($0.json) }), "next": next])
    }

    /// `GET /api/cost?by=key|team|route|model|day&days=N`: spend over the last N UTC days (7 unless
    /// given), summed by one dimension, with the total.
    private func cost(_ request: Request, scope: TeamScope) async throws -> Response {
        let parameters = request.uri.queryParameters
        let by = parameters["by"].map(String.init) ?? "route"
        guard let grouping = CostReport.Grouping(rawValue: by) else {
            let choices = CostReport.Grouping.allCases.map(\.rawValue).joined(separator: ", ")
            throw KeelError(.invalidValue, "Query parameter 'by' must be one of \(choices).", param: "by")
        }
        let period = CostReport.lastDays(try request.reportDays(), now: clock.now())
        return .json(try await costs.report(by: grouping, since: period.since, until: period.until, in: scope).json)
    }

    /// `GET /api/cost/inflation?days=N`: input tokens per request of each route, day by day.
    private func inflation(_ request: Request, scope: TeamScope) async throws -> Response {
        let period = CostReport.lastDays(try request.reportDays(), now: clock.now())
        return .json(PromptInflation(try await costs.promptSizes(since: period.since, until: period.until, in: scope)).json)
    }

    /// `GET /api/breakers`: each deployment's circuit breaker.
    private func breakers() -> Response {
        let data: [JSONValue] = health.breakerStates.map { entry in
            ["deployment": .string(entry.deployment.name), "provider": .string(entry.deployment.provider), "state": .string(entry.state.rawValue)]
        }
        return .json(["object": "list", "data": .array(data)])
    }

    /// `GET /api/requests?route=&key=&status=&failed=true&since=UNIX&before=ID&limit=N`, newest first;
    /// `next` is the `before` value of the following page.
    private func requests(_ request: Request, scope: TeamScope) async throws -> Response {
        let parameters = request.uri.queryParameters
        let integer = request.integerParameter
        let limit = try integer("limit") ?? 50
        guard (1...1000).contains(limit) else {
            throw KeelError(.invalidValue, "Query parameter 'limit' must be between 1 and 1000.", param: "limit")
        }
        let query = RequestQuery(
            scope: scope,
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

    /// `GET /api/keys`: the keys of the caller's team (every key, for an admin), never their secrets.
    private func listKeys(scope: TeamScope) async throws -> Response {
        .json(["object": "list", "data": .array(try await keys.keys(in: scope).map(\.json))])
    }

    /// `POST /api/keys` with `{"name", "role", "team", "expires_in_days"}`: a new key; its secret
    /// is in this answer only.
    private func createKey(_ request: Request, by caller: APIKey) async throws -> Response {
        var request = request
        let body = try await request.jsonBody(limit: 16 << 10)
        let spec = try APIKey.Specification(json: body)
        let secret = APIKeySecret.generate()
        let key = secret.key(
            name: spec.name,
            role: spec.role,
            team: spec.team,
            expiresAt: spec.expiresIn.map { clock.now().addingTimeInterval($0.seconds) },
            clock: clock
        )
        try await keys.insert(key)
        try await audit?.record(.keyCreated(key, by: caller.name))
        var json = key.json.objectValue ?? JSONObject()
        json["secret"] = .string(secret.value)
        var response = Response.json(.object(json))
        response.status = .created
        return response
    }

    /// `POST /api/keys/{id}/revoke`: the key is refused from now on, on every replica within seconds,
    /// and its dashboard sessions end.
    private func revoke(id: String, by caller: APIKey) async throws -> Response {
        guard let key = try await keys.key(id: id) else { throw KeelError(.notFound, "No key '\(id)'.") }
        if try await keys.revoke(id: id, at: clock.now()) { try await audit?.record(.keyRevoked(key, by: caller.name)) }
        try await sessions.deleteSessions(of: id)
        authenticator.forget(hash: key.hash)
        return .json(try await keys.key(id: id)?.json ?? key.json)
    }
}
