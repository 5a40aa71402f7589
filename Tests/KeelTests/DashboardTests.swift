import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KeelCore
import KeelServer
import NIOCore
import Testing

/// The web dashboard: never without a viewer or admin key, read-only for viewers, and pages whose
/// charts and tables show the traffic that happened.
@Suite struct DashboardTests {
    static let pages = ["/dashboard", "/dashboard/routes", "/dashboard/requests", "/dashboard/operations", "/dashboard/workflows"]

    func page(
        _ client: some TestClientProtocol,
        _ uri: String,
        key: String? = TestGateway.viewerKey,
        cookie: String? = nil
    ) async throws
        -> TestResponse
    {
        var headers: HTTPFields = [:]
        if let key { headers[.authorization] = "Bearer \(key)" }
        if let cookie { headers[.cookie] = cookie }
        return try await client.execute(uri: uri, method: .get, headers: headers)
    }

    @Test func noPageAnswersWithoutAViewerOrAdminKey() async throws {
        try await TestGateway().test { client in
            for uri in Self.pages + ["/dashboard/requests/req_x"] {
                for key in [nil, TestGateway.appKey, "sk-keel-not-a-key-0123456789abcdef"] {
                    let response = try await page(client, uri, key: key)
                    #expect(response.status == .seeOther && response.headers[.location] == "/dashboard/login", "\(uri) with \(key ?? "no key")")
                }
                for key in [TestGateway.viewerKey, TestGateway.adminKey] {
                    let response = try await page(client, uri, key: key)
                    #expect(response.status == .ok && response.headers[.contentType]?.hasPrefix("text/html") == true, "\(uri)")
                    #expect(!String(buffer: response.body).contains("<script"), "no script, nothing fetched")
                }
            }
            let login = try await page(client, "/dashboard/login", key: nil)
            #expect(login.status == .ok && String(buffer: login.body).contains(#"name="key""#))
        }
    }

    /// Posts a form to `uri`, from `origin` when given.
    func post(
        _ client: some TestClientProtocol,
        _ uri: String,
        form: String,
        origin: String? = "http://localhost",
        cookie: String? = nil
    ) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if let origin { headers[.origin] = origin }
        if let cookie { headers[.cookie] = cookie }
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: form))
    }

    @Test func aSessionCookieHoldsARandomSecretAndSignOutAndRevocationEndIt() async throws {
        try await TestGateway().test { client in
            let crossSite = try await post(client, "/dashboard/login", form: "key=\(TestGateway.viewerKey)", origin: "https://evil.example")
            #expect(crossSite.status == .forbidden && crossSite.headers[.setCookie] == nil, "a sign-in posted from another site")
            let noOrigin = try await post(client, "/dashboard/login", form: "key=\(TestGateway.viewerKey)", origin: nil)
            #expect(noOrigin.status == .forbidden, "a form post with neither Origin nor Referer")
            let app = try await post(client, "/dashboard/login", form: "key=\(TestGateway.appKey)")
            #expect(app.status == .unauthorized && app.headers[.setCookie] == nil, "an app key cannot sign in")

            let signedIn = try await post(client, "/dashboard/login", form: "key=\(TestGateway.viewerKey)")
            let setCookie = try #require(signedIn.headers[.setCookie])
            #expect(signedIn.status == .seeOther && setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"))
            #expect(setCookie.contains("Path=/dashboard") && !setCookie.contains(TestGateway.viewerKey), "the cookie never holds the key")
            let cookie = try #require(setCookie.split(separator: ";").first.map(String.init))
            let secret = String(cookie.dropFirst("keel_session=".count))
            #expect(try await page(client, "/dashboard", key: nil, cookie: "theme=dark; \(cookie)").status == .ok)
            let overview = String(buffer: try await page(client, "/dashboard", key: nil, cookie: cookie).body)
            let token = DashboardSessions.formToken(secret: secret)
            #expect(overview.contains(#"name="token" value="\#(token)""#), "the sign-out form carries the session's token")

            let forged = try await post(client, "/dashboard/logout", form: "token=0123", cookie: cookie)
            let crossSiteOut = try await post(client, "/dashboard/logout", form: "token=\(token)", origin: "https://evil.example", cookie: cookie)
            #expect(forged.status == .forbidden && crossSiteOut.status == .forbidden, "sign-out needs the token and this origin")
            #expect(try await page(client, "/dashboard", key: nil, cookie: cookie).status == .ok, "the session survived both")
            let out = try await post(client, "/dashboard/logout", form: "token=\(token)", cookie: cookie)
            #expect(out.status == .seeOther && out.headers[.setCookie]?.contains("Max-Age=0") == true)
            #expect(try await page(client, "/dashboard", key: nil, cookie: cookie).status == .seeOther, "signed out: to the sign-in page")

            // Revoking the key ends its other sessions at once.
            let again = try await post(client, "/dashboard/login", form: "key=\(TestGateway.viewerKey)")
            let second = try #require(again.headers[.setCookie]?.split(separator: ";").first.map(String.init))
            #expect(try await page(client, "/dashboard", key: nil, cookie: second).status == .ok)
            let keys = try await client.get("/api/keys", key: TestGateway.adminKey).json.objectValue?["data"]?.arrayValue ?? []
            let viewerID = try #require(keys.first { $0.objectValue?["name"] == "viewer" }?.objectValue?["id"]?.stringValue)
            #expect(try await client.post("/api/keys/\(viewerID)/revoke", "", key: TestGateway.adminKey).status == .ok)
            #expect(try await page(client, "/dashboard", key: nil, cookie: second).status == .seeOther, "a revoked key's session is over")
            #expect(try await client.get("/api/requests", key: TestGateway.viewerKey).status == .unauthorized)
        }
    }

    @Test func aViewerKeyReadsButChangesNothing() async throws {
        try await TestGateway().test { client in
            let log = try await client.get("/api/requests", key: TestGateway.viewerKey)
            let report = try await client.get("/api/workflow-report", key: TestGateway.viewerKey)
            let complete = try await client.post("/api/workflows/wf/complete", "", key: TestGateway.viewerKey)
            let chat = try await client.post("/v1/chat/completions", goodChat, key: TestGateway.viewerKey)
            #expect(log.status == .ok && report.status == .ok, "a viewer reads")
            #expect(complete.status == .forbidden && chat.status == .forbidden, "a viewer neither changes nor calls models")
        }
    }

    @Test func thePagesShowTheTrafficThatHappened() async throws {
        try await TestGateway().test { client in
            let answered = try await client.post("/v1/chat/completions", goodChat)
            let id = try #require(answered.headers[HTTPField.Name("x-request-id")!])
            let unknown = try await client.post("/v1/chat/completions", #"{"model":"<img src=x>","messages":[{"role":"user","content":"hi"}]}"#)
            #expect(unknown.status == .notFound)
            _ = try await client.logRecord(id: id)
            _ = try await client.logRecord(id: try #require(unknown.headers[HTTPField.Name("x-request-id")!]))

            let overview = String(buffer: try await page(client, "/dashboard").body)
            let requestsChart = try #require(overview.range(of: #"aria-label="Requests and errors" data-points=""#))
            let points = Int(overview[requestsChart.upperBound...].prefix { $0.isNumber }) ?? 0
            #expect(points > 0 && (overview.contains("<polyline") || overview.contains("<circle")), "the chart has data")
            #expect(overview.contains("<b>2</b>"), "two requests")

            let log = String(buffer: try await page(client, "/dashboard/requests").body)
            #expect(log.contains("/dashboard/requests/\(id)") && log.contains("&lt;img src=x&gt;") && !log.contains("<img src=x>"))
            let failed = String(buffer: try await page(client, "/dashboard/requests?failed=true").body)
            #expect(!failed.contains(id) && failed.contains("model_not_found"))

            let detail = String(buffer: try await page(client, "/dashboard/requests/\(id)").body)
            #expect(detail.contains(#"aria-label="attempts""#) && detail.contains("#1 chat-model"))
            #expect(detail.contains("<td>API</td><td>chat_completions</td>"), "the API the client called")
            let routes = String(buffer: try await page(client, "/dashboard/routes").body)
            #expect(routes.contains("gpt-test") && routes.contains("chat-model"))
            let operations = String(buffer: try await page(client, "/dashboard/operations").body)
            #expect(operations.contains("chat-model") && operations.contains("closed") && operations.contains("Dropped (must stay 0)"))
        }
    }
}
