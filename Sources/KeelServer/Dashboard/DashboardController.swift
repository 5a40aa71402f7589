import Foundation
import HTTPTypes
import Hummingbird
import KeelCore
import NIOCore

/// The web dashboard under `/dashboard`: server-rendered pages over the request log, routes,
/// breakers, budgets and workflows, each showing the caller's team (every team, for an admin).
/// Every page needs a key that may read — as a bearer token, or signed in through
/// `/dashboard/login`, whose session cookie holds a random secret (Keel keeps its hash), never the
/// key. Forms that change anything are refused from another origin, and those of a session carry a
/// token only the session can compute.
public struct DashboardController: Sendable {
    let log: any RequestLogStore
    let traffic: any TrafficStore
    let routes: RouteTable
    let health: UpstreamHealth
    let budgets: BudgetLedger
    let workflows: WorkflowReporter
    let sessions: DashboardSessions
    let authenticator: KeyAuthenticator
    let evaluations: EvaluationReports?
    let reviews: ReviewQueue?
    let backlog: (any RequestLogBacklog)?
    let audit: AuditTrail?
    let clock: KeelClock

    public init(
        log: any RequestLogStore,
        traffic: any TrafficStore,
        routes: RouteTable,
        health: UpstreamHealth,
        budgets: BudgetLedger,
        workflows: WorkflowReporter,
        sessions: DashboardSessions,
        authenticator: KeyAuthenticator,
        evaluations: EvaluationReports? = nil,
        reviews: ReviewQueue? = nil,
        backlog: (any RequestLogBacklog)? = nil,
        audit: AuditTrail? = nil,
        clock: KeelClock = .system
    ) {
        self.log = log
        self.traffic = traffic
        self.routes = routes
        self.health = health
        self.budgets = budgets
        self.workflows = workflows
        self.sessions = sessions
        self.authenticator = authenticator
        self.evaluations = evaluations
        self.reviews = reviews
        self.backlog = backlog
        self.audit = audit
        self.clock = clock
    }

    public func addRoutes(to routes: KeelRoutes) {
        routes.get("/dashboard/login", access: .open) { _, _ in Self.loginPage(problem: nil, status: .ok) }
        routes.post("/dashboard/login", access: .open) { request, _ in try await signIn(request) }
        routes.post("/dashboard/logout", access: .open) { request, context in try await signOut(request, identity: context.identity) }
        page("/dashboard", routes) { request, _, viewer in try await overview(request, viewer: viewer) }
        page("/dashboard/routes", routes) { _, _, viewer in try await routesPage(viewer: viewer) }
        page("/dashboard/requests", routes) { request, _, viewer in try await requestsPage(request, viewer: viewer) }
        page("/dashboard/requests/{id}", routes) { _, context, viewer in try await requestPage(id: context.parameters.require("id"), viewer: viewer) }
        page("/dashboard/operations", routes) { _, _, viewer in try await operationsPage(viewer: viewer) }
        page("/dashboard/workflows", routes) { _, _, viewer in try await workflowsPage(viewer: viewer) }
        page("/dashboard/evaluations", routes) { request, _, viewer in try await evaluationsPage(request, viewer: viewer) }
        page("/dashboard/evaluations/compare", routes) { request, _, viewer in
            let parameters = request.uri.queryParameters
            return try await comparisonPage(base: String(parameters["base"] ?? ""), candidate: String(parameters["candidate"] ?? ""), viewer: viewer)
        }
        page("/dashboard/evaluations/{id}", routes) { _, context, viewer in
            try await evaluationPage(id: context.parameters.require("id"), viewer: viewer)
        }
        if let reviews { addReviewRoutes(to: routes, queue: reviews) }
    }

    /// A page for keys that may read.
    private func page(
        _ path: String,
        _ routes: KeelRoutes,
        render: @escaping @Sendable (Request, KeelRequestContext, DashboardViewer) async throws -> String
    ) {
        routes.get(path, access: .page(.read)) { request, context in
            let key = try context.caller()
            let token = request.cookie(DashboardSessions.cookieName).map(DashboardSessions.formToken(secret:))
            return .html(try await render(request, context, DashboardViewer(key: key, formToken: token)))
        }
    }

    private func signIn(_ request: Request) async throws -> Response {
        guard request.isSameOrigin else {
            return Self.loginPage(problem: "Sign-in is only accepted from this dashboard's own page.", status: .forbidden)
        }
        var request = request
        let form = Self.form(String(decoding: try await request.collectBody(limit: 4096), as: UTF8.self))
        let key: APIKey
        do {
            key = try await authenticator.authenticate(form["key"])
            try KeyAuthenticator.require(.read, of: key)
        } catch {
            return Self.loginPage(problem: "That key cannot open the dashboard: it needs a role that may read.", status: .unauthorized)
        }
        let secret = try await sessions.start(for: key)
        try await audit?.record(AuditEvent("signed_in", actor: key.name, subject: key.id))
        var response = Response.redirect(to: "/dashboard", type: .normal)
        response.headers[HTTPField.Name.setCookie] = DashboardSessions.cookie(secret, maxAge: Int(sessions.lifetime.seconds))
        return response
    }

    private func signOut(_ request: Request, identity: Identity) async throws -> Response {
        var request = request
        let form = Self.form(String(decoding: try await request.collectBody(limit: 4096), as: UTF8.self))
        guard request.isSameOrigin, let secret = request.cookie(DashboardSessions.cookieName),
            form["token"] == DashboardSessions.formToken(secret: secret)
        else {
            throw KeelError(.insufficientRole, "Sign-out is only accepted from this dashboard's own pages.")
        }
        try await sessions.end(secret: secret)
        if let key = identity.key { try await audit?.record(AuditEvent("signed_out", actor: key.name, subject: key.id)) }
        var response = Response.redirect(to: "/dashboard/login", type: .normal)
        response.headers[HTTPField.Name.setCookie] = DashboardSessions.cookie("", maxAge: 0)
        return response
    }

    /// The fields of a form body.
    static func form(_ text: String) -> [String: String] {
        let items = URLComponents(string: "?" + text.replacingOccurrences(of: "+", with: " "))?.queryItems ?? []
        return Dictionary(items.compactMap { item in item.value.map { (item.name, $0) } }, uniquingKeysWith: { first, _ in first })
    }

    static func loginPage(problem: String?, status: HTTPResponse.Status) -> Response {
        let html = """
            \(HTML.head("Sign in"))
            <body><main><h1>Keel dashboard</h1>\(problem.map { "<p class=\"bad\">\(HTML.escape($0))</p>" } ?? "")
            <form method="post" action="/dashboard/login" class="filters"><label>An API key that may read (viewer, reviewer, operator, admin)
            <input type="password" name="key" size="48" autocomplete="off" required></label><button>Sign in</button></form></main></body></html>
            """
        var response = Response.html(html)
        response.status = status
        return response
    }
}

/// Who is looking at a page: what it may see, and the token its forms carry.
struct DashboardViewer: Sendable {
    let key: APIKey
    /// The session's form token; `nil` for a caller that sent its key as a bearer token.
    let formToken: String?

    var scope: TeamScope { key.scope }

    /// Whether the viewer may see `budget`'s spend: an admin every budget, others their team's and
    /// their own key's (a route's spend sums every team's requests).
    func sees(_ budget: Budget) -> Bool {
        if case .all = scope { return true }
        switch budget.scope {
        case .team(let team): return team == key.team
        case .key(let name): return name == key.name
        case .route: return false
        }
    }
}

extension Response {
    static func html(_ text: String) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text))
        )
    }
}

extension Request {
    /// The value of the cookie `name`, if the request sent it.
    func cookie(_ name: String) -> String? {
        for header in headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0] == name { return String(parts[1]) }
            }
        }
        return nil
    }

    /// Whether a form was posted from this server's own pages: its `Origin` (or, without one, its
    /// `Referer`) names this host. A browser always sends one of them with a cross-site form.
    var isSameOrigin: Bool {
        guard let host = head.authority else { return false }
        let origin = headers[.origin] ?? headers[.referer]
        guard let origin, let components = URLComponents(string: origin), let originHost = components.host else { return false }
        let originAuthority = components.port.map { "\(originHost):\($0)" } ?? originHost
        return originAuthority == host
    }
}
