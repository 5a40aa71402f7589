import Foundation
import KeelApp
import KeelCore
import KeelStore
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

/// Evaluations end to end, in process, on the suite's backend: cases through the real pipeline to
/// a scripted upstream on loopback, scored, stored, reported, and the gate deciding promotions.
@Suite struct EvaluationTests {
    /// 20 tickets: t01–t04 fraud (high risk), t05–t12 billing, t13–t20 tech (low risk).
    static let cases: [EvaluationCase] = (1...20).map { number in
        let id = String(format: "t%02d", number)
        let queue = number <= 4 ? "fraud" : number <= 12 ? "billing" : "tech"
        return EvaluationCase(
            id: id,
            variables: JSONObject([("ticket", .string(id))]),
            expected: ["queue": .string(queue)],
            category: queue,
            riskTier: number <= 4 ? .high : .low
        )
    }

    /// The cases each version of the prompt answers wrongly: v1 six billing tickets, v2 two fraud ones.
    static let wrong: [Int: Set<String>] = [1: ["t05", "t06", "t07", "t08", "t09", "t10"], 2: ["t01", "t02"], 3: []]

    static func prompt(version: Int) -> JSONValue {
        [
            "name": "triage",
            "messages": [
                ["role": "system", "content": .string("Sort support tickets, version \(version). Answer JSON with the queue.")],
                ["role": "user", "content": "Ticket {{ticket}}"],
            ],
            "variables": ["ticket": "string"],
            "response_schema": ["type": "object", "required": ["queue"], "properties": ["queue": ["enum": ["fraud", "billing", "tech", "other"]]]],
        ]
    }

    /// What the scripted upstream saw of one chat request: the prompt version and the ticket.
    struct Asked {
        var version: Int?
        var ticket: String?
        var judging: Bool

        init(_ request: ScriptedHTTPServer.Request) {
            let messages = (try? JSONParser.parse(request.body))?.objectValue?["messages"]?.arrayValue ?? []
            let text = messages.compactMap { $0.objectValue?["content"]?.stringValue }.joined(separator: "\n")
            version = text.firstMatch(of: /version (\d+)/).flatMap { Int($0.1) }
            ticket = text.firstMatch(of: /\b(t\d{2})\b/).map { String($0.1) }
            judging = text.contains("You grade")
        }
    }

    /// The upstream: the right queue unless the version gets the ticket wrong; judges pass all but
    /// t03; embeddings of the text's letters.
    static func script(_ request: ScriptedHTTPServer.Request) -> ScriptedHTTPServer.Reply {
        if request.head.uri.hasSuffix("/embeddings") {
            let inputs = (try? JSONParser.parse(request.body))?.objectValue?["input"]?.arrayValue ?? []
            let data: [JSONValue] = inputs.enumerated().map { index, _ in
                ["object": "embedding", "index": JSONValue(index), "embedding": [1, 0.5, 0.25]]
            }
            let body: JSONValue = ["object": "list", "data": .array(data), "model": "e", "usage": ["prompt_tokens": 6, "total_tokens": 6]]
            return .answer(status: .ok, body: body.jsonString)
        }
        let asked = Asked(request)
        if asked.judging {
            return ReplicaTests.answer(asked.ticket == "t03" ? #"{"verdict": "fail", "reason": "Wrong queue for fraud."}"# : #"{"verdict": "pass"}"#)
        }
        guard let ticket = asked.ticket, let version = asked.version, let item = cases.first(where: { $0.id == ticket }) else {
            return .answer(status: .badRequest, body: #"{"error": {"message": "unexpected request"}}"#)
        }
        let queue = wrong[version]?.contains(ticket) == true ? "other" : item.expected?.objectValue?["queue"]?.stringValue ?? "?"
        return ReplicaTests.answer(#"{"queue": "\#(queue)"}"#)
    }

    static func yaml(storage: String, upstreamPort: Int) -> String {
        """
        storage: \(storage)
        log: { level: error }
        providers:
          up: { type: openai, base_url: "http://127.0.0.1:\(upstreamPort)/v1", timeout_seconds: 20 }
        models:
          scripted: { provider: up, price: { input: 1000, output: 2000 } }
          embedder: { provider: up, kind: embedding, price: { input: 100 } }
        routes:
          triage:
            model: scripted
            max_attempts: 1
            prompt: triage@production
            evaluation:
              dataset: tickets
              scorers: [{ type: label, path: queue }, json_schema]
              gate:
                - { min_pass_rate: 0.6 }
                - { tier: high, min_pass_rate: 0.9 }
                - { max_drop: 0.05 }
          judge: { model: scripted, max_attempts: 1 }
          embed: embedder
        """
    }

    /// Runs `body` with evaluations over fresh storage holding the prompt's three versions (v1
    /// labelled production) and the tickets, the upstream scripted by ``script(_:)``.
    func withEvaluations<T>(_ body: (Evaluations, ScriptedHTTPServer) async throws -> T) async throws -> T {
        let upstream = try await ScriptedHTTPServer(Self.script)
        defer { Task { try? await upstream.stop() } }
        return try await TestBackend.gateway.withConfiguration { storage in
            var environment: [String: String] = [:]
            let storageYAML: String
            switch storage {
            case .sqlite(let path): storageYAML = "{ path: \(path) }"
            case .postgres(let url, _):
                storageYAML = "{ driver: postgres, url_env: KEEL_TEST_DATABASE_URL, pool_size: 8 }"
                environment["KEEL_TEST_DATABASE_URL"] = url
            }
            let (checked, problems) = KeelConfiguration.check(
                yaml: Self.yaml(storage: storageYAML, upstreamPort: upstream.port),
                environment: environment
            )
            #expect(problems.isEmpty, "\(problems)")
            let configuration = try #require(checked)
            return try await KeelStorage.with(configuration.storage, logger: TestBackend.quiet) { storage in
                let registry = Gateway.promptRegistry(storage)
                for version in 1...3 { _ = try await registry.push(Self.prompt(version: version), team: nil, by: "test") }
                _ = try await registry.label("production", of: RegistryName(team: nil, name: "triage"), to: 1, by: "test")
                _ = try await storage.datasets.push(Self.cases, as: RegistryName(team: nil, name: "tickets"), by: "test", at: Date())
                return try await body(Evaluations(configuration: configuration, storage: storage, logger: TestBackend.quiet), upstream)
            }
        }
    }

    func promote(_ version: Int, _ evaluations: Evaluations) async throws -> Evaluations.GateCheck {
        try await evaluations.promote(
            prompt: "triage",
            version: version,
            label: "production",
            route: nil,
            team: nil,
            freshness: .seconds(3600),
            concurrency: 4,
            by: "test",
            reason: "release 12"
        )
    }

    /// The issue's must-hold: v2 raises the average (70 % → 90 %) but drops the high-risk tier to
    /// 50 %, under its 90 % minimum, so promotion is refused and the label stays; v3 then passes.
    @Test func aVersionThatRaisesTheAverageButFailsTheHighRiskTierIsRefused() async throws {
        try await withEvaluations { evaluations, upstream in
            let triage = RegistryName(team: nil, name: "triage")
            let refused = try await promote(2, evaluations)
            #expect(!refused.verdict.holds && refused.holder == 1)
            #expect(refused.verdict.failures == ["high-risk tier: pass rate 50.0 % is below the minimum 90.0 %"])
            let rates = refused.verdict.checks.map(\.candidateRate)
            #expect(rates == [0.9, 0.5, 0.9], "overall, high tier, overall again")
            #expect(refused.verdict.checks[0].baseRate == 0.7)
            #expect(try await evaluations.storage.prompts.labels(of: triage)["production"] == 1, "the label did not move")
            let refusal = try #require(try await evaluations.storage.prompts.history(of: triage).last)
            #expect(refusal.kind == .refused && refusal.version == 2 && refusal.actor == "test")
            #expect(refusal.reason?.contains("high-risk tier: pass rate 50.0 %") == true && refusal.reason?.contains(refused.candidate.id) == true)
            #expect(upstream.requests.count == 40, "v1 and v2, twenty cases each")

            let promoted = try await promote(3, evaluations)
            #expect(promoted.verdict.holds && promoted.verdict.failures.isEmpty)
            #expect(promoted.base?.id == refused.base?.id, "v1's fresh run is used again")
            #expect(upstream.requests.count == 60, "only v3's cases were sent")
            #expect(try await evaluations.storage.prompts.labels(of: triage)["production"] == 3)
            let moved = try #require(try await evaluations.storage.prompts.history(of: triage).last)
            #expect(moved.kind == .labelled && moved.previous == 1 && moved.reason?.hasPrefix("release 12; gate of triage held") == true)
        }
    }

    @Test func casesGoThroughThePipelineAndTheLogMarkedAsTheRunsWithEveryScorer() async throws {
        try await withEvaluations { evaluations, upstream in
            let prepared = try await evaluations.start(
                prompt: try PromptReference(parsing: "triage@1"),
                dataset: nil,
                route: "triage",
                scorers: [
                    .label(path: "queue"), .jsonSchema(nil), .judge(route: "judge", rubric: "Right queue."),
                    .similarity(route: "embed", threshold: 0.9),
                ],
                team: nil,
                by: "test"
            )
            let timing = try await evaluations.execute(prepared, concurrency: 6)
            #expect(timing.cases == 20 && timing.harnessMs.count == 20)
            let (report, results, _) = try await evaluations.report(prepared.run.id)
            #expect(report.pending == 0 && report.overall.cases == 20)
            #expect(report.overall.passed == 13 && report.overall.failed == 7, "v1's six wrong queues, and t03 failed by the judge")
            let fraud = try #require(report.group(.category("fraud")))
            #expect(fraud.passed == 3 && fraud.passRate == 0.75)
            #expect(try #require(report.group(.tier(.high))).cases == 4)
            let interval = try #require(report.overall.interval)
            let reference = WilsonInterval(successes: 13, trials: 20)
            #expect(interval == reference && interval.lower < 0.65 && interval.upper > 0.65)
            let confusion = try #require(report.confusion)
            #expect(confusion.count(reference: "billing", predicted: "other") == 6 && confusion.count(reference: "fraud", predicted: "fraud") == 4)
            let t03 = try #require(results.first { $0.caseID == "t03" })
            #expect(t03.outcome == .failed && t03.scores.map(\.scorer) == ["label", "json_schema", "judge", "similarity"])
            #expect(t03.scores.first { $0.scorer == "judge" }?.detail == "Wrong queue for fraud.")
            #expect(results.allSatisfy { $0.scoringCost > .zero && $0.cost > .zero && $0.requestID != nil })
            #expect(report.overall.scoringCost > .zero && report.overall.cost > .zero)
            #expect(upstream.requests.count == 60, "each case, its judge and its embeddings")

            let log = try await evaluations.storage.log.requests(matching: RequestQuery(limit: 500))
            let marked = log.filter { $0.evaluationRun == prepared.run.id }
            #expect(marked.count == 60, "the cases and the scorers' calls are the run's traffic")
            let key = try #require(try await evaluations.storage.keys.keys(in: .all).first { $0.name == EvaluationGateway.keyName })
            #expect(marked.allSatisfy { $0.keyID == key.id })
            #expect(marked.filter { $0.route == "triage" }.allSatisfy { $0.promptName == "triage" && $0.promptVersion == 1 })
        }
    }

    @Test func caseErrorsAreKeptAndCountedApartFromFailures() async throws {
        try await withEvaluations { evaluations, _ in
            var cases = Self.cases
            cases[4].variables = JSONObject([("ticket", 5)])
            cases[5].variables = JSONObject()
            _ = try await evaluations.storage.datasets.push(cases, as: RegistryName(team: nil, name: "tickets"), by: "test", at: Date())
            let prepared = try await evaluations.start(
                prompt: try PromptReference(parsing: "triage@production"),
                dataset: "tickets",
                route: "triage",
                scorers: nil,
                team: nil,
                by: "test"
            )
            #expect(prepared.run.datasetVersion == 2 && prepared.run.promptVersion == 1 && prepared.run.plan.scorers.count == 2)
            _ = try await evaluations.execute(prepared, concurrency: 3)
            let (report, results, _) = try await evaluations.report(prepared.run.id)
            #expect(report.overall.errors == 2 && report.overall.failed == 4 && report.overall.passed == 14)
            let mistyped = try #require(results.first { $0.caseID == "t05" })
            #expect(mistyped.outcome == .error && mistyped.error?.contains("ticket") == true && mistyped.answer == nil)
            #expect(report.markdown(results: results).contains("`t06` error"))
        }
    }

    @Test func aRunOfVariablesWithoutAPromptOrOfAnUnknownRouteIsRefusedBeforeAnyCall() async throws {
        try await withEvaluations { evaluations, upstream in
            await #expect(throws: KeelError.self) {
                try await evaluations.start(prompt: nil, dataset: "tickets", route: "triage", scorers: nil, team: nil, by: nil)
            }
            await #expect(throws: KeelError.self) {
                try await evaluations.start(
                    prompt: try PromptReference(parsing: "triage@1"),
                    dataset: nil,
                    route: "nope",
                    scorers: nil,
                    team: nil,
                    by: nil
                )
            }
            await #expect(throws: KeelError.self) {
                try await evaluations.start(
                    prompt: try PromptReference(parsing: "triage@9"),
                    dataset: nil,
                    route: "triage",
                    scorers: nil,
                    team: nil,
                    by: nil
                )
            }
            #expect(upstream.requests.isEmpty)
            let runs = try await evaluations.storage.evaluations.runs(in: .all, prompt: nil, limit: 10)
            #expect(runs.isEmpty, "nothing half-made is stored")
        }
    }

    /// The scripted judge passes everything but t03: against people who failed t03 and t05, it agrees
    /// on 4 of 5, and κ is scikit-learn's for those labels (0.5454…).
    @Test func calibrationReportsAgreementKappaAndTheMatrix() async throws {
        try await withEvaluations { evaluations, upstream in
            let labels = try HumanLabel.parse(
                """
                {"id": 1, "input": "Ticket t01", "answer": "{\\"queue\\": \\"fraud\\"}", "label": "pass"}
                {"id": 2, "input": {"ticket": "t02"}, "answer": "fraud", "reference": "fraud", "label": "PASS"}
                {"id": 3, "input": "Ticket t03", "answer": "billing", "label": "fail"}
                {"id": 4, "input": "Ticket t04", "answer": "fraud", "label": "pass"}
                {"id": 5, "input": "Ticket t05", "answer": "tech", "label": "fail"}
                """
            ).get()
            let calibration = try await evaluations.calibrate(judge: "judge", rubric: "Right queue.", labels: labels, team: nil, concurrency: 2)
            let agreement = calibration.agreement
            #expect(agreement.labels == ["fail", "pass"] && agreement.count == 5)
            #expect(agreement.count(reference: "fail", predicted: "pass") == 1 && agreement.count(reference: "fail", predicted: "fail") == 1)
            #expect(agreement.agreement == 0.8)
            #expect(abs((agreement.kappa ?? 0) - 0.545_454_545_454_545_4) < 1e-12)
            #expect(calibration.cost > .zero && upstream.requests.count == 5)
            #expect(throws: KeelError.self, "no route's evaluation has a judge on it") { try evaluations.rubric(forJudge: "judge") }
            let refused = HumanLabel.parse(#"{"input": "x", "label": "pass"}"# + "\n" + #"{"input": "y", "answer": "z", "label": 3}"#)
            let lines: [Int]
            switch refused {
            case .failure(let problems): lines = problems.problems.map(\.line)
            case .success: lines = []
            }
            #expect(lines == [1, 2], "a labels file without answers is refused, every line named")
        }
    }
}
