import Foundation
import HTTPTypes
import HummingbirdTesting
import KeelCore
import NIOCore
import Testing

/// The dashboard's review queue: for keys that may review, its forms refused from another origin or
/// without the session's token, and a decision made there released like any other.
@Suite struct ReviewDashboardTests {
    @Test func aReviewerSignedInDecidesThroughTheFormsAndOtherSitesCannot() async throws {
        try await ReviewHTTPTests.gateway(wait: 0).test { client in
            let forms = DashboardTests()
            let held = try await client.post("/v1/chat/completions", ReviewHTTPTests.chat(amount: 5_000, say: "Decide <b>this</b> claim."))
            let id = try #require(held.json.objectValue?["id"]?.stringValue)
            #expect(try await forms.page(client, "/dashboard/reviews", key: TestGateway.viewerKey).status == .seeOther, "a viewer does not review")
            let viewerNav = String(buffer: try await forms.page(client, "/dashboard", key: TestGateway.viewerKey).body)
            #expect(!viewerNav.contains("/dashboard/reviews"), "nor sees the link")

            let signedIn = try await forms.post(client, "/dashboard/login", form: "key=\(TestGateway.reviewerKey)")
            let cookie = try #require(signedIn.headers[.setCookie]?.split(separator: ";").first.map(String.init))
            let queue = String(buffer: try await forms.page(client, "/dashboard/reviews", key: nil, cookie: cookie).body)
            #expect(queue.contains(id) && queue.contains("amount &gt;= 1000"), "the held case and why")
            let page = String(buffer: try await forms.page(client, "/dashboard/reviews/\(id)", key: nil, cookie: cookie).body)
            #expect(page.contains("Decide &lt;b&gt;this&lt;/b&gt; claim.") && !page.contains("<b>this</b>"), "the case's text is escaped")
            let token = try #require(page.range(of: #"name="token" value=""#).map { String(page[$0.upperBound...].prefix(32)) })

            let crossSite = try await forms.post(
                client,
                "/dashboard/reviews/\(id)",
                form: "token=\(token)&action=approved",
                origin: "https://evil.example",
                cookie: cookie
            )
            #expect(crossSite.status == .forbidden)
            let tokenless = try await forms.post(client, "/dashboard/reviews/\(id)", form: "action=approved", cookie: cookie)
            #expect(tokenless.status == .forbidden)
            let bare = try await forms.post(client, "/dashboard/reviews/\(id)", form: "token=\(token)&action=rejected", cookie: cookie)
            #expect(bare.status == .badRequest && String(buffer: bare.body).contains("needs a reason"), "the problem shown on the page")
            let decided = try await forms.post(
                client,
                "/dashboard/reviews/\(id)",
                form: "token=\(token)&action=edited&answer=Pay+900.&reason=policy",
                cookie: cookie
            )
            #expect(decided.status == .seeOther && decided.headers[.location] == "/dashboard/reviews/\(id)")
            let polled = try await client.get("/v1/reviews/\(id)").json.objectValue
            #expect(polled?["decision"] == "human-edited" && polled?["response"]?.objectValue?["choices"]?.arrayValue?.first != nil)
            let after = String(buffer: try await forms.page(client, "/dashboard/reviews/\(id)", key: nil, cookie: cookie).body)
            #expect(after.contains("edited by reviewer") && !after.contains(#"value="approved""#), "decided: no forms left")
        }
    }
}
