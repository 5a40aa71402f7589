import Foundation
import HTTPTypes
import HummingbirdTesting
import KeelCore
import NIOCore
import NIOHTTP1
import Testing

/// The review queue's background work in a running gateway: a decided answer whose client is not
/// waiting reaches the route's callback once, and a review past its SLA is escalated once.
@Suite struct ReviewServiceTests {
    @Test func aDecidedAnswerIsCalledBackOnceAndAnOverdueReviewEscalatedOnce() async throws {
        let receiver = try await ScriptedHTTPServer { _ in .answer(status: .ok, body: "{}") }
        var gateway = ReviewHTTPTests.gateway(
            wait: 0,
            extra: ", sla_minutes: 0.01, callback_url: 'http://127.0.0.1:\(receiver.port)/decisions'"
        )
        gateway.extraYAML = "alerts: { webhook_url: 'http://127.0.0.1:\(receiver.port)/alerts' }"
        try await gateway.test { client in
            let held = try await client.post("/v1/chat/completions", ReviewHTTPTests.chat(amount: 5_000))
            let id = try #require(held.json.objectValue?["id"]?.stringValue)
            // Past its SLA of 0.6 s, the review is escalated through the alert webhook.
            try await receiver.waitForRequests(1)
            #expect(try await ReviewHTTPTests.decide(client, id, #"{"verdict":"edited","answer":"Pay 900."}"#).status == .ok)
            try await receiver.waitForRequests(2)
            // Two more ticks of the service: nothing is sent twice.
            try await Task.sleep(for: .milliseconds(2_500))
            let requests = receiver.requests
            let alerts = requests.filter { $0.head.uri == "/alerts" }
            let callbacks = requests.filter { $0.head.uri == "/decisions" }
            #expect(alerts.count == 1 && callbacks.count == 1, "\(requests.map(\.head.uri))")
            let alert = try JSONParser.parse(alerts.first?.body ?? "").objectValue
            #expect(alert?["kind"] == "review_overdue" && alert?["review_id"]?.stringValue == id)
            let alertText = alerts.first?.body ?? ""
            #expect(!alertText.contains("Decide this claim"), "an alert names the review, not what it holds")
            let callback = try #require(callbacks.first)
            let body = try JSONParser.parse(callback.body).objectValue
            #expect(callback.head.headers["idempotency-key"] == [id] && callback.head.headers["x-keel-decision"] == ["human-edited"])
            #expect(body?["status"] == "edited" && body?["response"]?.objectValue?["choices"] != nil)
            let review = try await client.get("/api/reviews/\(id)", key: TestGateway.reviewerKey).json.objectValue
            #expect(review?["delivered_at"]?.stringValue != nil && review?["escalated_at"]?.stringValue != nil)
        }
        try await receiver.stop()
    }
}
