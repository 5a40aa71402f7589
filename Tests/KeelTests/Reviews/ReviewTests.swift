import Foundation
import KeelCore
import KeelStore
import Testing

/// A review's own rules: what a decision releases, where it stands as claims lapse, the case it
/// becomes for a dataset, and how decisions count as errors.
@Suite struct ReviewTests {
    static let now = Date(timeIntervalSince1970: 1_900_000_000)

    static func review(_ request: JSONObject, category: String? = "refund", tier: RiskTier = .high) -> Review {
        Review(
            kind: .hold,
            requestID: "req_1",
            route: "claims",
            team: nil,
            keyID: "key_1",
            tier: tier,
            category: category,
            reasons: ["amount >= 1000"],
            request: request,
            answer: ChatCompletion(id: "chatcmpl-1", created: 1, model: "m", contents: ["Pay 40."], finishReason: "stop", usage: nil),
            createdAt: now,
            dueAt: now.addingTimeInterval(60)
        )
    }

    static func decided(
        _ verdict: ReviewDecision.Verdict,
        _ review: Review = review(JSONObject([("messages", [["role": "user", "content": "pay?"]])]))
    )
        -> Review
    {
        var review = review
        review.decision = ReviewDecision(
            verdict: verdict,
            reviewer: "ana",
            decidedAt: now,
            reason: verdict == .approved ? nil : "policy",
            edit: verdict == .edited ? "Pay 900." : nil
        )
        return review
    }

    @Test func aDecisionReleasesTheAnswerTheEditOrAnError() {
        #expect(Self.decided(.approved).released?.content == "Pay 40." && Self.decided(.approved).outcome == .humanApproved)
        #expect(Self.decided(.edited).released?.content == "Pay 900." && Self.decided(.edited).outcome == .humanEdited)
        let rejected = Self.decided(.rejected)
        #expect(rejected.released == nil && rejected.rejection?.code == .reviewRejected && rejected.rejection?.status == 422)
        #expect(Self.review(JSONObject()).released == nil && Self.review(JSONObject()).outcome == nil, "nothing before a decision")
    }

    @Test func aLapsedClaimIsPendingAgain() {
        var review = Self.review(JSONObject())
        review.claim = Review.Claim(reviewer: "ana", expiresAt: Self.now.addingTimeInterval(60))
        #expect(review.status(at: Self.now) == .claimed && review.status(at: Self.now.addingTimeInterval(61)) == .pending)
        #expect(review.json(at: Self.now.addingTimeInterval(61), full: false)["claim"] == nil)
        #expect(review.clientJSON(at: Self.now)["status"] == "pending", "a client sees no claim")
    }

    @Test func aDecidedReviewBecomesACaseWithTheReleasedAnswerExpected() throws {
        let prompted = Self.decided(.edited, Self.review(JSONObject([("variables", #"{"claim":"c1","amount":5000}"#)])))
        let fromVariables = try #require(prompted.evaluationCase)
        #expect(fromVariables.variables?["claim"] == "c1" && fromVariables.expected == "Pay 900." && fromVariables.messages == nil)
        #expect(fromVariables.category == "refund" && fromVariables.riskTier == .high && fromVariables.id == prompted.id)
        let chat = try #require(Self.decided(.approved).evaluationCase)
        #expect(chat.messages?.count == 1 && chat.expected == "Pay 40.")
        #expect(Self.decided(.rejected).evaluationCase == nil, "a rejection has no answer to expect")
        #expect(Self.decided(.approved, Self.review(JSONObject([("model", "claims")]))).evaluationCase == nil, "nothing asked")
    }

    @Test func editsAndRejectionsAreErrorsCountedByCategoryAndTier() {
        var reviews = [Self.decided(.approved), Self.decided(.edited), Self.decided(.rejected), Self.review(JSONObject())]
        reviews.append(Self.decided(.approved, Self.review(JSONObject(), category: nil, tier: .medium)))
        let errors = ReviewErrors(reviews)
        #expect(errors.overall.reviewed == 4 && errors.overall.errors == 2, "undecided ones do not count")
        #expect(errors.categories.map(\.category) == ["refund", "uncategorised"])
        #expect(errors.tiers.map(\.tier) == [.medium, .high] && errors.tiers.map(\.errors) == [0, 2])
        #expect(errors.cells.first { $0.tier == .high }?.rate == 2.0 / 3.0)
        // scipy.stats.binomtest(2, 4).proportion_ci(method="wilson") = (0.150039, 0.849961)
        #expect(abs(errors.overall.interval.lower - 0.150_039) < 1e-6 && abs(errors.overall.interval.upper - 0.849_961) < 1e-6)
    }

    @Test func keelDatasetsImportFromReviewsMakesTheDecidedCasesADatasetVersion() async throws {
        try await withTemporaryDirectory { directory in
            let config = "\(directory)/keel.yaml"
            try
                "storage: { path: \(directory)/keel.sqlite }\nproviders: { sim: { type: simulated } }\nmodels: { m: { provider: sim } }\nroutes: { claims: m }\n"
                .write(toFile: config, atomically: true, encoding: .utf8)
            try await KeelStorage.with(.sqlite(path: "\(directory)/keel.sqlite"), logger: TestBackend.quiet) { storage in
                let asked = JSONObject([("messages", [["role": "user", "content": "pay?"]])])
                for (index, verdict) in [ReviewDecision.Verdict.edited, .rejected, .approved].enumerated() {
                    var review = Self.review(asked)
                    review.createdAt = Date().addingTimeInterval(Double(index - 10))
                    try await storage.reviews.holdReview(review)
                    let decision = ReviewDecision(
                        verdict: verdict,
                        reviewer: "ana",
                        decidedAt: Date(),
                        reason: "r",
                        edit: verdict == .edited ? "Pay 900." : nil
                    )
                    _ = try await storage.reviews.decideReview(id: review.id, decision: decision, now: Date())
                }
            }
            let imported = try KeelProcess.run([
                "datasets", "import", "--name", "reviewed", "--from-reviews", "--route", "claims", "--config", config,
            ])
            #expect(imported.status == 0 && imported.output.contains("reviewed@1  2 cases"), "\(imported)")
            let cases = try KeelProcess.run(["datasets", "show", "reviewed", "--config", config]).output.split(separator: "\n")
            #expect(cases.count == 2 && cases[0].contains("Pay 900.") && cases[1].contains("Pay 40."), "oldest first, the edit expected: \(cases)")
        }
    }
}
