import Foundation
import HTTPTypes
import HummingbirdTesting
import KeelCore
import KeelStore
import NIOCore
import Testing

/// `/api/feedback`, `/api/evaluations` and the evaluation pages over HTTP, each team seeing its own.
@Suite struct EvaluationHTTPTests {
    /// Two runs of team search over one dataset (the second fixes t2 and breaks t3) and one of team ads.
    static func seed(_ storage: KeelStorage) async throws {
        let dataset = RegistryName(team: "search", name: "tickets")
        let cases = (1...4).map { number in
            EvaluationCase(
                id: "t\(number)",
                messages: [JSONObject([("role", "user"), ("content", .string("ticket \(number)"))])],
                expected: "billing",
                category: number == 1 ? "fraud" : "billing",
                riskTier: number == 1 ? .high : .low
            )
        }
        _ = try await storage.datasets.push(cases, as: dataset, by: "test", at: Date())
        let outcomes: [String: [Bool]] = [
            "eval_search_1": [true, false, true, true], "eval_search_2": [true, true, false, true], "eval_ads_1": [true, true, true, true],
        ]
        for (id, passes) in outcomes.sorted(by: { $0.key < $1.key }) {
            let team = id.contains("ads") ? "ads" : "search"
            try await storage.evaluations.createRun(
                EvaluationRun(
                    id: id,
                    team: team,
                    prompt: nil,
                    promptVersion: nil,
                    dataset: dataset,
                    datasetVersion: 1,
                    route: "gpt-test",
                    plan: EvaluationPlan(scorers: [.label(path: nil)]),
                    caseCount: 4,
                    startedAt: Date(timeIntervalSinceNow: id.hasSuffix("2") ? -10 : -20),
                    finishedAt: Date(),
                    createdBy: "test"
                )
            )
            for (index, passed) in passes.enumerated() {
                let label = passed ? "billing" : "tech"
                let result = EvaluationResult(
                    caseID: "t\(index + 1)",
                    outcome: passed ? .passed : .failed,
                    answer: label,
                    scores: [
                        Score(
                            scorer: "label",
                            passed: passed,
                            predicted: label,
                            expected: "billing",
                            detail: passed ? nil : "labelled 'tech', expected 'billing'"
                        )
                    ],
                    latencyMs: 10,
                    finishedAt: Date()
                )
                try await storage.evaluations.record([result], run: id)
            }
        }
    }

    @Test func runsReportsAndComparisonsAreTheTeamsOwn() async throws {
        try await TestGateway().test(seed: Self.seed) { client in
            let list = try await client.get("/api/evaluations", key: TestGateway.viewerKey).json
            let ids = list.objectValue?["data"]?.arrayValue?.compactMap { $0.objectValue?["id"]?.stringValue }
            #expect(ids == ["eval_search_2", "eval_search_1"], "newest first, none of team ads")
            let report = try await client.get("/api/evaluations/eval_search_1", key: TestGateway.viewerKey).json.objectValue
            #expect(report?["overall"]?.objectValue?["pass_rate"] == 0.75 && report?["results"]?.arrayValue?.count == 4)
            #expect(report?["confusion"]?.objectValue?["labels"] == ["billing", "tech"])
            #expect(try await client.get("/api/evaluations/eval_ads_1", key: TestGateway.viewerKey).status == .notFound)
            #expect(try await client.get("/api/evaluations/eval_ads_1", key: TestGateway.adminKey).status == .ok)
            let comparison = try await client.get("/api/evaluations/eval_search_1/compare/eval_search_2", key: TestGateway.viewerKey).json.objectValue
            #expect(comparison?["fixed"] == 1 && comparison?["regressed"] == 1 && comparison?["unchanged_pass"] == 2 && comparison?["p_value"] == 1.0)
            #expect(try await client.get("/api/evaluations/eval_search_1/compare/eval_ads_1", key: TestGateway.viewerKey).status == .notFound)

            let runs = String(buffer: try await client.get("/dashboard/evaluations", key: TestGateway.viewerKey).body)
            #expect(runs.contains("eval_search_1") && runs.contains("75.0 %") && !runs.contains("eval_ads_1") && runs.contains("Compare"))
            let run = try await client.get("/dashboard/evaluations/eval_search_1", key: TestGateway.viewerKey)
            let page = String(buffer: run.body)
            #expect(run.status == .ok && page.contains("By risk tier") && page.contains("labelled &#39;tech&#39;, expected &#39;billing&#39;"))
            let compared = try await client.get(
                "/dashboard/evaluations/compare?base=eval_search_1&candidate=eval_search_2",
                key: TestGateway.viewerKey
            )
            let text = String(buffer: compared.body)
            #expect(compared.status == .ok && text.contains("McNemar") && text.contains("regressed") && text.contains("t3"))
            #expect(try await client.get("/dashboard/evaluations/eval_ads_1", key: TestGateway.viewerKey).status == .notFound)
        }
    }

    @Test func feedbackIsKeptOnTheCallersOwnRequests() async throws {
        try await TestGateway().test { client in
            let answer = try await client.post("/v1/chat/completions", goodChat)
            let request = try #require(answer.headers[HTTPField.Name("x-request-id")!])
            // At once: the request's row may not be written yet.
            let body: JSONValue = [
                "request_id": .string(request), "score": 0, "label": "wrong_queue", "correction": ["queue": "billing"], "comment": "was fraud",
            ]
            let kept = try await client.post("/api/feedback", body.jsonString)
            #expect(kept.status == .created, "\(String(buffer: kept.body))")
            #expect(
                kept.json.objectValue?["correction"] == ["queue": "billing"] && kept.json.objectValue?["id"]?.stringValue?.hasPrefix("fb_") == true
            )
            let listed = try await client.get("/api/feedback", key: TestGateway.viewerKey).json.objectValue?["data"]?.arrayValue
            #expect(listed?.count == 1 && listed?.first?.objectValue?["request_id"]?.stringValue == request)

            let adsApp = try await client.createKey(role: .app, team: "ads")
            let foreign = try await client.post("/api/feedback", #"{"request_id": "\#(request)", "score": 1}"#, key: adsApp)
            #expect(foreign.status == .notFound, "another team's request is not there to judge")
            let adsViewer = try await client.createKey(role: .viewer, team: "ads")
            #expect(try await client.get("/api/feedback", key: adsViewer).json.objectValue?["data"]?.arrayValue?.isEmpty == true)
            for (bad, param) in [
                (#"{"score": 1}"#, "request_id"), (#"{"request_id": "\#(request)"}"#, "score"),
                (#"{"request_id": "\#(request)", "stars": 5}"#, "stars"),
                (#"{"request_id": "\#(request)", "score": "high"}"#, "score"),
            ] {
                let refused = try await client.post("/api/feedback", bad)
                #expect(refused.status == .badRequest && refused.json.objectValue?["error"]?.objectValue?["param"]?.stringValue == param, "\(bad)")
            }
            let broken = try await client.post("/api/feedback", "{not json")
            #expect(broken.status == .badRequest && broken.json.objectValue?["error"]?.objectValue?["code"] == "invalid_json")
        }
    }
}
