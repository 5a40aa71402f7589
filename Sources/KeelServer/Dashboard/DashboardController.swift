import Foundation
import HTTPTypes
import Hummingbird
import KeelCore
import NIOCore

/// The web dashboard under `/dashboard`: server-rendered pages over the request log, routes,
/// breakers, budgets and workflows. Every page needs a viewer or admin key — as a bearer token, or
/// signed in through `/dashboard/login`, which keeps the key in an HttpOnly, SameSite=Strict
/// cookie scoped to `/dashboard`. Nothing here changes Keel.
public struct DashboardController<Context: RequestContext>: Sendable {
    let authenticator: KeyAuthenticator
    let log: any RequestLogStore
    let traffic: any TrafficStore
    let routes: RouteTable
    let health: UpstreamHealth
    let budgets: BudgetLedger
    let workflows: WorkflowReporter
    let backlog: (any RequestLogBacklog)?

    public init(
        authenticator: KeyAuthenticator,
        log: any RequestLogStore,
        traffic: any TrafficStore,
        routes: RouteTable,
        health: UpstreamHealth,
        budgets: BudgetLedger,
        workflows: WorkflowReporter,
        backlog: (any RequestLogBacklog)? = nil
    ) {
        self.authenticator = authenticator
        self.log = log
        self.traffic = traffic
        self.routes = routes
        self.health = health
        self.budgets = budgets
        self.workflows = workflows
        self.backlog = backlog
    }

    static var cookieName: String { "keel_key" }

    public func addRoutes(to router: Router<Context>) {
        router.get("dashboard/login") { _, _ in Self.loginPage(problem: nil, status: .ok) }
        router.post("dashboard/login") { request, _ in try await signIn(request) }
        router.post("dashboard/logout") { _, _ in
            var response = Response.redirect(to: "/dashboard/login", type: .normal)
            response.headers[HTTPField.Name.setCookie] = "\(Self.cookieName)=; Path=/dashboard; Max-Age=0; HttpOnly; SameSite=Strict"
            return response
        }
        page("dashboard", router) { request, _ in try await overview(request) }
        page("dashboard/routes", router) { _, _ in try await routesPage() }
        page("dashboard/requests", router) { request, _ in try await requestsPage(request) }
        page("dashboard/requests/{id}", router) { _, context in try await requestPage(id: context.parameters.require("id")) }
        page("dashboard/operations", router) { _, _ in operationsPage() }
        page("dashboard/workflows", router) { _, _ in try await workflowsPage() }
    }

    /// A page behind a viewer or admin key: without one, the way to the sign-in form.
    private func page(_ path: RouterPath, _ router: Router<Context>, render: @escaping @Sendable (Request, Context) async throws -> String) {
        router.get(path) { request, context in
            do {
                _ = try await authenticator.authenticate(request.bearerToken ?? request.cookie(Self.cookieName), requiring: .viewer)
            } catch {
                return Response.redirect(to: "/dashboard/login", type: .normal)
            }
            return .html(try await render(request, context))
        }
    }

    private func signIn(_ request: Request) async throws -> Response {
        var request = request
        let form = String(decoding: try await request.collectBody(limit: 4096), as: UTF8.self)
        let key = URLComponents(string: "?" + form.replacingOccurrences(of: "+", with: " "))?.queryItems?.first { $0.name == "key" }?.value
        do {
            _ = try await authenticator.authenticate(key, requiring: .viewer)
        } catch {
            return Self.loginPage(problem: "That key cannot open the dashboard: it needs the viewer or admin role.", status: .unauthorized)
        }
        var response = Response.redirect(to: "/dashboard", type: .normal)
        response.headers[HTTPField.Name.setCookie] = "\(Self.cookieName)=\(key ?? ""); Path=/dashboard; Max-Age=43200; HttpOnly; SameSite=Strict"
        return response
    }

    static func loginPage(problem: String?, status: HTTPResponse.Status) -> Response {
        let html = """
            \(HTML.head("Sign in"))
            <body><main><h1>Keel dashboard</h1>\(problem.map { "<p class=\"bad\">\(HTML.escape($0))</p>" } ?? "")
            <form method="post" action="/dashboard/login" class="filters"><label>A viewer or admin API key
            <input type="password" name="key" size="48" autocomplete="off" required></label><button>Sign in</button></form></main></body></html>
            """
        var response = Response.html(html)
        response.status = status
        return response
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
}
