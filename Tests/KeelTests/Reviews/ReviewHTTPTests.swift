import Foundation
import HTTPTypes
import HummingbirdTesting
import KeelCore
import NIOCore
import Testing

/// The review queue on the request path: every way a held answer can reach its client — waited
/// for, streamed, polled after a 202 — goes through a recorded decision, and the decision says how.
@Suite struct ReviewHTTPTests {
    /// `amount` over 1,000 is high; over 100 medium, released if the answer is JSON with a decision.
    static func gateway(wait: Double = 5, extra: String = "") -> TestGateway {
        var gateway = TestGateway()
        gateway.providerYAML = """
              sim:
                type: simulated
                latency: { p50_ms: 0, p99_ms: 0 }
                tokens_per_second: 0
                output_tokens: { min: 8, max: 8 }
                answers:
                  - { when: 'as json', say: '{"decision": "pay", "refund": 40}' }
                  - { when: 'bad json', say: '{"refund": 400}' }
            """
        gateway.chatRoute = """
            { model: chat-model, risk: { high: ['amount >= 1000'], medium: ['amount >= 100'] }, \
            review: { wait_seconds: \(wait), claim_minutes: 1, category: kind, \
            validate: { schema: { type: object, required: [decision] }, rules: ['answer.refund <= amount'] } \(extra) } }
            """
        return gateway
    }

    static func chat(amount: Double, kind: String = "refund", say: String = "Decide this claim.", stream: Bool = false) -> String {
        #"{"model":"gpt-test","stream":\#(stream),"messages":[{"role":"user","content":"\#(say)"}],"metadata":{"amount":\#(amount),"kind":"\#(kind)"}}"#
    }

    static let decision = HTTPField.Name("x-keel-decision")!
    static let reviewID = HTTPField.Name("x-keel-review-id")!

    /// The first pending review the reviewer sees, waiting up to two seconds for it to be held.
    static func pending(_ client: some TestClientProtocol, key: String = TestGateway.reviewerKey) async throws -> JSONObject? {
        for _ in 0..<100 {
            let list = try await client.get("/api/reviews?status=pending", key: key).json.objectValue?["data"]?.arrayValue ?? []
            if let first = list.first?.objectValue { return first }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    static func decide(
        _ client: some TestClientProtocol,
        _ id: String,
        _ body: String,
        key: String = TestGateway.reviewerKey
    ) async throws
        -> TestResponse
    {
        try await client.post("/api/reviews/\(id)/decision", body, key: key)
    }

    @Test func aLowCaseIsAutoAMediumOneValidatedAndOneThatFailsValidationWaitsForAPerson() async throws {
        try await Self.gateway(wait: 0).test { client in
            let low = try await client.post("/v1/chat/completions", Self.chat(amount: 5))
            #expect(low.status == .ok && low.headers[Self.decision] == "auto")
            let valid = try await client.post("/v1/chat/completions", Self.chat(amount: 500, say: "answer as json"))
            #expect(valid.status == .ok && valid.headers[Self.decision] == "validated", "\(valid.json)")
            let invalid = try await client.post("/v1/chat/completions", Self.chat(amount: 300, say: "answer with bad json"))
            #expect(invalid.status == .accepted && invalid.headers[Self.decision] == nil)
            let review = try #require(
                try await client.get("/api/reviews/\(invalid.json.objectValue?["id"]?.stringValue ?? "")", key: TestGateway.reviewerKey).json
                    .objectValue
            )
            let reasons = review["reasons"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(
                review["tier"] == "medium" && reasons.contains { $0.contains("output schema") }
                    && reasons.contains { $0.contains("answer.refund <= amount") },
                "\(reasons)"
            )
            #expect(review["answer"]?.objectValue?["choices"] != nil && review["request"]?.objectValue?["metadata"] != nil)
        }
    }

    @Test func aMediumCaseIsValidatedOnlyWhenASecondModelAgreesAskedAsARequestOfItsOwn() async throws {
        var gateway = Self.gateway(wait: 0, extra: "")
        gateway.chatRoute = gateway.chatRoute.replacingOccurrences(
            of: "rules: ['answer.refund <= amount']",
            with: "agree: { route: checker, on: [decision] }"
        )
        gateway.providerYAML = """
              sim:
                type: simulated
                latency: { p50_ms: 0, p99_ms: 0 }
                tokens_per_second: 0
                answers:
                  - { when: 'as json', say: '{"decision": "pay", "refund": 40}' }
                  - { when: 'other json', say: '{"decision": "pay", "refund": 1}' }
              second:
                type: simulated
                latency: { p50_ms: 0, p99_ms: 0 }
                tokens_per_second: 0
                answers:
                  - { when: 'as json', say: '{"decision": "pay"}' }
                  - { when: 'other json', say: '{"decision": "deny"}' }
            """
        gateway.extraModels = "  checker-model: { provider: second, price: { input: 1.0, output: 2.0 } }"
        gateway.extraRoutes = "  checker: checker-model"
        try await gateway.test { client in
            let agreed = try await client.post("/v1/chat/completions", Self.chat(amount: 500, say: "answer as json"))
            #expect(agreed.status == .ok && agreed.headers[Self.decision] == "validated", "\(agreed.json)")
            let disputed = try await client.post("/v1/chat/completions", Self.chat(amount: 500, say: "answer other json"))
            #expect(disputed.status == .accepted, "\(disputed.json)")
            let review = try await client.get("/api/reviews/\(disputed.json.objectValue?["id"]?.stringValue ?? "")", key: TestGateway.reviewerKey)
            let reasons = review.json.objectValue?["reasons"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(reasons.contains { $0.contains("the second model (checker) disagrees on decision") }, "\(reasons)")
            let rows = try await client.requestLog(count: 4)
            #expect(
                rows.compactMap { $0["route"]?.stringValue }.sorted() == ["checker", "checker", "gpt-test", "gpt-test"],
                "each opinion is a request of its own"
            )
            #expect(rows.allSatisfy { $0["cost_usd"]?.doubleValue ?? 0 > 0 }, "and is paid for")
        }
    }

    @Test func aWaitingClientGetsTheAnswerAsDecidedApprovedEditedOrRejected() async throws {
        try await Self.gateway().test { client in
            for (body, expected) in [
                (#"{"verdict":"approved"}"#, "human-approved"), (#"{"verdict":"edited","answer":"Pay 900.","reason":"too low"}"#, "human-edited"),
                (#"{"verdict":"rejected","reason":"not covered"}"#, "rejected"),
            ] {
                async let answer = client.post("/v1/chat/completions", Self.chat(amount: 5_000))
                let review = try #require(try await Self.pending(client))
                let id = try #require(review["id"]?.stringValue)
                #expect(review["tier"] == "high" && review["category"] == "refund" && review["reasons"] == ["amount >= 1000"])
                let decided = try await Self.decide(client, id, body)
                #expect(decided.status == .ok, "\(decided.json)")
                let released = try await answer
                #expect(released.headers[Self.decision] == expected && released.headers[Self.reviewID] == id)
                switch expected {
                case "human-edited":
                    #expect(
                        released.status == .ok
                            && released.json.objectValue?["choices"]?.arrayValue?.first?.objectValue?["message"]?.objectValue?["content"]
                                == "Pay 900."
                    )
                case "rejected":
                    let error = released.json.objectValue?["error"]?.objectValue
                    #expect(released.status == .unprocessableContent && error?["code"] == "review_rejected" && error?["review_id"]?.stringValue == id)
                default:
                    #expect(released.status == .ok && released.json.objectValue?["object"] == "chat.completion")
                }
                let stored = try await client.get("/api/reviews/\(id)", key: TestGateway.reviewerKey).json.objectValue
                #expect(stored?["delivered_at"]?.stringValue != nil && stored?["decision"]?.objectValue?["reviewer"] == "reviewer")
                #expect(try await Self.decide(client, id, #"{"verdict":"approved"}"#).status == .conflict, "decided once")
            }
        }
    }

    @Test func aStreamIsHeldWholeAndStreamedOnceDecided() async throws {
        try await Self.gateway().test { client in
            async let answer = client.post("/v1/chat/completions", Self.chat(amount: 5_000, stream: true))
            let id = try #require(try await Self.pending(client)?["id"]?.stringValue)
            _ = try await Self.decide(client, id, #"{"verdict":"edited","answer":"Pay 900."}"#)
            let released = try await answer
            #expect(released.status == .ok && released.headers[Self.decision] == "human-edited")
            let text = released.events.compactMap { try? JSONParser.parse($0) }.compactMap {
                $0.objectValue?["choices"]?.arrayValue?.first?.objectValue?["delta"]?.objectValue?["content"]?.stringValue
            }
            #expect(text.joined() == "Pay 900." && released.events.last == "[DONE]", "\(released.events)")
        }
    }

    @Test func pastItsWaitAClientGets202AndPollsItsOwnReviewUntilDecided() async throws {
        try await Self.gateway(wait: 0.3).test { client in
            let held = try await client.post("/v1/chat/completions", Self.chat(amount: 5_000))
            #expect(held.status == .accepted && held.headers[.location] == "/v1/reviews/\(held.json.objectValue?["id"]?.stringValue ?? "")")
            let id = try #require(held.json.objectValue?["id"]?.stringValue)
            #expect(try await client.get("/v1/reviews/\(id)").json.objectValue?["status"] == "pending")
            #expect(try await client.get("/v1/reviews/\(id)", key: TestGateway.reviewerKey).status == .forbidden, "a reviewer does not call models")
            var headers: HTTPFields = [.contentType: "application/json", .authorization: "Bearer \(TestGateway.appKey)"]
            headers[HTTPField.Name("idempotency-key")!] = "claim-1"
            let keyed = try await client.execute(
                uri: "/v1/chat/completions",
                method: .post,
                headers: headers,
                body: ByteBuffer(string: Self.chat(amount: 7_000))
            )
            let repeated = try await client.execute(
                uri: "/v1/chat/completions",
                method: .post,
                headers: headers,
                body: ByteBuffer(string: Self.chat(amount: 7_000))
            )
            let keyedID = keyed.json.objectValue?["id"]?.stringValue
            #expect(
                keyed.status == .accepted && repeated.status == .accepted && repeated.json.objectValue?["id"]?.stringValue == keyedID,
                "a repeat gets the same review"
            )
            let requestID = try #require(keyed.headers[.init("x-request-id")!])
            let ofRequest =
                try await client.get("/api/reviews?request=\(requestID)", key: TestGateway.reviewerKey).json.objectValue?["data"]?.arrayValue ?? []
            #expect(ofRequest.compactMap { $0.objectValue?["id"]?.stringValue } == [keyedID].compactMap { $0 })
            let mine = try await client.get("/v1/reviews").json.objectValue?["data"]?.arrayValue ?? []
            #expect(mine.count == 2 && mine.last?.objectValue?["id"]?.stringValue == id)
            #expect(try await Self.decide(client, id, #"{"verdict":"approved"}"#, key: TestGateway.outsiderKey).status == .notFound, "another team's")
            _ = try await Self.decide(client, id, #"{"verdict":"approved","reason":"fine"}"#)
            let polled = try await client.get("/v1/reviews/\(id)")
            let body = polled.json.objectValue
            #expect(polled.headers[Self.decision] == "human-approved" && body?["status"] == "approved" && body?["reason"] == "fine")
            #expect(body?["response"]?.objectValue?["object"] == "chat.completion")
            let row = try await client.logRecord(id: held.json.objectValue?["request_id"]?.stringValue ?? held.headers[.init("x-request-id")!] ?? "")
            #expect(row?["status"] == 202 && row?["risk_tier"] == "high")
        }
    }

    @Test func aClaimKeepsOthersOffUntilItLapsesAndBadDecisionsAreRefusedInOpenAIsShape() async throws {
        try await Self.gateway(wait: 0).test { client in
            let id = try #require(try await client.post("/v1/chat/completions", Self.chat(amount: 5_000)).json.objectValue?["id"]?.stringValue)
            let claimed = try await client.post("/api/reviews/\(id)/claim", "", key: TestGateway.reviewerKey)
            #expect(claimed.status == .ok && claimed.json.objectValue?["status"] == "claimed")
            let other = try await Self.decide(client, id, #"{"verdict":"approved"}"#, key: TestGateway.adminKey)
            #expect(other.status == .conflict && other.json.objectValue?["error"]?.objectValue?["code"] == "review_claimed")
            for (body, param) in [(#"{"verdict":"edited"}"#, "answer"), (#"{"verdict":"rejected"}"#, "reason"), (#"{"verdict":"maybe"}"#, "verdict")]
            {
                let refused = try await Self.decide(client, id, body)
                #expect(
                    refused.status == .badRequest && refused.json.objectValue?["error"]?.objectValue?["param"]?.stringValue == param,
                    "\(refused.json)"
                )
            }
            #expect(try await client.get("/api/reviews", key: TestGateway.viewerKey).status == .forbidden, "a viewer does not review")
            #expect(try await client.get("/api/reviews?status=pending,claimed", key: TestGateway.outsiderKey).json.objectValue?["data"] == [])
            #expect(try await client.get("/api/reviews?status=later", key: TestGateway.reviewerKey).status == .badRequest)
            #expect(try await Self.decide(client, id, #"{"verdict":"approved"}"#).status == .ok, "the holder decides")
        }
    }

    @Test func aContestGoesBackToReviewAndTheDecisionsGiveTheErrorRates() async throws {
        try await Self.gateway(wait: 0).test { client in
            let low = try await client.post("/v1/chat/completions", Self.chat(amount: 5, kind: "refund"))
            let requestID = try #require(low.headers[.init("x-request-id")!])
            let contest = try await client.post("/api/requests/\(requestID)/contest", #"{"reason":"the refund is wrong"}"#)
            let review = contest.json.objectValue
            #expect(contest.status == .created && review?["kind"] == "contest" && review?["request_id"]?.stringValue == requestID, "\(contest.json)")
            #expect(
                try await client.post("/api/requests/\(requestID)/contest", #"{"reason":"again"}"#).status == .conflict,
                "one open review a request"
            )
            #expect(try await client.post("/api/requests/req_nothing/contest", #"{"reason":"x"}"#).status == .notFound)
            _ = try await Self.decide(client, review?["id"]?.stringValue ?? "", #"{"verdict":"edited","answer":"Refund 3.","reason":"policy"}"#)
            for (amount, body) in [
                (5_000.0, #"{"verdict":"approved"}"#), (5_000, #"{"verdict":"rejected","reason":"fraud"}"#), (6_000, #"{"verdict":"approved"}"#),
            ] {
                let id =
                    try await client.post("/v1/chat/completions", Self.chat(amount: amount, kind: "claim")).json.objectValue?["id"]?.stringValue ?? ""
                _ = try await Self.decide(client, id, body)
            }
            let errors = try #require(try await client.get("/api/reviews/errors", key: TestGateway.reviewerKey).json.objectValue)
            let overall = errors["overall"]?.objectValue
            #expect(overall?["reviewed"] == 4 && overall?["errors"] == 2 && overall?["error_rate"] == 0.5)
            let cells = (errors["cells"]?.arrayValue ?? []).compactMap(\.objectValue)
            let high = cells.first { $0["tier"] == "high" && $0["category"] == "claim" }
            #expect(high?["reviewed"] == 3 && high?["errors"] == 1, "\(cells)")
            let lower = high?["interval"]?.objectValue?["lower"]?.doubleValue ?? -1
            let upper = high?["interval"]?.objectValue?["upper"]?.doubleValue ?? -1
            // scipy.stats.binomtest(1, 3).proportion_ci(method="wilson") = (0.0614919, 0.7923404)
            #expect(abs(lower - 0.061_491_945) < 1e-6 && abs(upper - 0.792_340_4) < 1e-6, "\(lower) \(upper)")
            #expect(cells.first { $0["tier"] == "low" }?["errors"] == 1, "the upheld contest is an error of the released answer")
        }
    }
}
