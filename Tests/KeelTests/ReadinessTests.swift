import Foundation
import KeelApp
import KeelCore
import KeelStore
import Testing

/// The five checks a rollout needs: each fails when its evidence is missing or stale and passes when
/// it is there; and the evidence is gathered from the stores every replica shares, on both backends.
@Suite struct ReadinessTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let day: TimeInterval = 86_400

    /// A route with everything a rollout needs configured; `bare` has none of it.
    static let yaml = """
        storage: { path: /dev/null }
        providers:
          sim: { type: simulated }
        models:
          primary: { provider: sim }
          backup: { provider: sim }
        routes:
          claims:
            model: primary
            fallbacks: [backup]
            latency_budget_ms: 5000
            degrade: { static_answer: "Busy; try again." }
            prompt: claims@production
            contract:
              input: variables
              fields: { amount: [number], country: [country] }
            risk:
              high: ['amount >= 10000']
              medium: ['country == "RU"']
            review: { wait_seconds: 5, sla_minutes: 60 }
            evaluation:
              dataset: claims-cases
              scorers: [exact]
              gate: [{ min_pass_rate: 0.8 }, { category: fraud, min_pass_rate: 0.9 }]
            drift:
              features: [input_tokens, latency_ms]
          bare: primary
        budgets:
          - { route: claims, window: day, limit_usd: 10 }
        alerts:
          daily_spend_usd: 50
          webhook_url: https://hooks.example.com/keel
        """

    static func configuration() throws -> KeelConfiguration {
        let (configuration, problems) = KeelConfiguration.check(yaml: yaml, environment: [:])
        #expect(problems.isEmpty, "\(problems)")
        return try #require(configuration)
    }

    static func route(_ name: String) throws -> Route { try #require(try configuration().routes.first { $0.name == name }) }

    /// A finished run of claims@3 with two categories: fraud passing 9 of 10 (or `fraudPassed`), others 10 of 10.
    static func evaluation(finished: Date, fraudPassed: Int = 9) throws -> ReadinessEvidence.Evaluation {
        let route = try route("claims")
        let plan = try #require(route.evaluation)
        let cases = (0..<20).map { EvaluationCase(id: "c\($0)", category: $0 < 10 ? "fraud" : "billing") }
        let results = cases.enumerated().map { index, item in
            EvaluationResult(caseID: item.id, outcome: index < 10 && index >= fraudPassed ? .failed : .passed, latencyMs: 10, finishedAt: finished)
        }
        let run = EvaluationRun(
            team: nil,
            prompt: RegistryName(team: nil, name: "claims"),
            promptVersion: 3,
            dataset: RegistryName(team: nil, name: "claims-cases"),
            datasetVersion: 2,
            route: "claims",
            plan: plan,
            caseCount: 20,
            startedAt: finished.addingTimeInterval(-60),
            finishedAt: finished,
            createdBy: nil
        )
        let report = EvaluationReport(run: run, cases: cases, results: results)
        return ReadinessEvidence.Evaluation(report: report, verdict: GateVerdict(conditions: plan.gate, candidate: report, base: nil))
    }

    /// The claims route with every piece of evidence fresh.
    static func complete() throws -> ReadinessEvidence {
        var evidence = ReadinessEvidence(route: try route("claims"), now: now, maximumAge: 30 * day)
        evidence.reviewers = 2
        evidence.pendingReviews = 3
        evidence.validation = ValidationEvidence(
            route: "claims",
            at: now.addingTimeInterval(-2 * day),
            counts: [.accepted: 170, .quarantined: 20, .rejected: 10],
            source: "samples.jsonl",
            sha256: "ab"
        )
        evidence.productionVersion = 3
        evidence.evaluation = try evaluation(finished: now.addingTimeInterval(-day))
        evidence.rehearsal = RehearsalEvidence(
            route: "claims",
            at: now.addingTimeInterval(-3 * day),
            scenario: "primary-outage.yaml",
            phases: [.init(name: "outage", successRate: 0.998)],
            unmet: []
        )
        let budget = try #require(try configuration().budgets.first)
        evidence.budgets = [ReadinessEvidence.BudgetStanding(budget: budget, spent: Money(dollars: 2.5))]
        evidence.alertChannel = "hooks.example.com"
        evidence.alertsConfigured = true
        evidence.drift = DriftJudgementRecord(
            route: "claims",
            windowStart: now.addingTimeInterval(-7200),
            state: .ok,
            findings: [],
            alerts: [],
            judgedAt: now.addingTimeInterval(-3000)
        )
        return evidence
    }

    static func finding(_ check: ReadinessCheck, _ evidence: ReadinessEvidence) -> ReadinessFinding {
        ReadinessReport(evidence).findings.first { $0.check == check }!
    }

    @Test func aRouteWithEveryPieceOfEvidenceIsReady() throws {
        let report = ReadinessReport(try Self.complete())
        #expect(report.ready, "\(report.text)")
        #expect(report.findings.map(\.check) == ReadinessCheck.allCases)
        #expect(report.text.contains("200 sample records of samples.jsonl validated 2 days ago: 85 % accepted, 10 % quarantined, 5 % rejected"))
        #expect(report.text.contains("fraud 90 % (10)") && report.text.contains("billing 100 % (10)"), "per-category results")
        #expect(report.text.contains("fallback chain: primary → backup"))
    }

    @Test func aRouteWithNothingFailsEveryCheckSayingWhatIsMissing() throws {
        let report = ReadinessReport(ReadinessEvidence(route: try Self.route("bare"), now: Self.now, maximumAge: 30 * Self.day))
        #expect(!report.ready && report.findings.allSatisfy { !$0.passed })
        #expect(report.findings.allSatisfy { !$0.missing.isEmpty })
    }

    /// Each check, with one piece of its evidence missing or stale: it fails, and only it.
    @Test(arguments: [
        (ReadinessCheck.risk, "no reviewer"), (.data, "no validation"), (.data, "stale validation"), (.data, "empty validation"),
        (.evaluation, "no run"), (.evaluation, "stale run"), (.evaluation, "gate fails"), (.evaluation, "no production version"),
        (.fallback, "no rehearsal"), (.fallback, "stale rehearsal"), (.fallback, "failed rehearsal"),
        (.monitoring, "no budget"), (.monitoring, "no webhook"), (.monitoring, "not judged"), (.monitoring, "drifting"),
    ])
    func eachCheckFailsWhenItsEvidenceIsMissingOrStale(check: ReadinessCheck, change: String) throws {
        var evidence = try Self.complete()
        switch change {
        case "no reviewer": evidence.reviewers = 0
        case "no validation": evidence.validation = nil
        case "stale validation": evidence.validation?.at = Self.now.addingTimeInterval(-31 * Self.day)
        case "empty validation": evidence.validation?.counts = [:]
        case "no run": evidence.evaluation = nil
        case "stale run": evidence.evaluation = try Self.evaluation(finished: Self.now.addingTimeInterval(-40 * Self.day))
        case "gate fails": evidence.evaluation = try Self.evaluation(finished: Self.now, fraudPassed: 7)
        case "no production version": evidence.productionVersion = nil
        case "no rehearsal": evidence.rehearsal = nil
        case "stale rehearsal": evidence.rehearsal?.at = Self.now.addingTimeInterval(-45 * Self.day)
        case "failed rehearsal": evidence.rehearsal?.unmet = ["outage: success rate 91 % is below 99.9 %"]
        case "no budget": evidence.budgets = []
        case "no webhook": evidence.alertChannel = nil
        case "not judged": evidence.drift = nil
        default: evidence.drift?.state = .drifting
        }
        let report = ReadinessReport(evidence)
        #expect(report.findings.filter { !$0.passed }.map(\.check) == [check], "\(change): \(report.text)")
        #expect(!report.ready)
    }

    @Test(arguments: [ReadinessCheck.risk, .data, .evaluation, .fallback, .monitoring])
    func eachCheckFailsWithoutItsConfiguration(check: ReadinessCheck) throws {
        var evidence = try Self.complete()
        var route = evidence.route
        switch check {
        case .risk: route.risk = nil
        case .data: route.contract = nil
        case .evaluation: route.evaluation = nil
        case .fallback: route.fallbacks = []
        case .monitoring: route.drift = nil
        }
        evidence.route = route
        #expect(ReadinessReport(evidence).findings.filter { !$0.passed }.map(\.check) == [check])
    }
}

extension ReadinessTests {
    /// The gatherer reads each piece from the storage every replica shares: reviewers and held cases,
    /// the route's own latest validation and rehearsal in the audit trail, its budget's spend in
    /// the log, its latest drift judgement.
    @Test(arguments: TestBackend.available)
    func evidenceIsGatheredFromTheStoresOfEitherBackend(on backend: TestBackend) async throws {
        try await backend.withStorage { storage in
            let now = Date()
            let reviewer = APIKeySecret.generate().key(name: "rita", role: .reviewer, team: "claims")
            try await storage.keys.insert(reviewer)
            let gone = APIKeySecret.generate().key(name: "gone", role: .reviewer, team: "claims")
            try await storage.keys.insert(gone)
            _ = try await storage.keys.revoke(id: gone.id, at: now)
            try await storage.keys.insert(APIKeySecret.generate().key(name: "app", role: .app, team: "claims"))
            var held = ReviewTests.review(JSONObject())
            held.createdAt = now
            held.dueAt = now.addingTimeInterval(3600)
            try await storage.reviews.holdReview(held)

            let trail = AuditTrail(store: storage.audit)
            let counts: [ContractOutcome.Status: Int] = [.accepted: 9, .quarantined: 1]
            _ = try await trail.record(ValidationEvidence(route: "claims", at: now, counts: counts, source: "a.jsonl", sha256: "1").event(by: "t"))
            _ = try await trail.record(
                ValidationEvidence(route: "bare", at: now, counts: [.rejected: 5], source: "b.jsonl", sha256: "2").event(by: "t")
            )
            let phases = [RehearsalEvidence.Phase(name: "outage", successRate: 1)]
            _ = try await trail.record(RehearsalEvidence(route: "claims", at: now, scenario: "s.yaml", phases: phases, unmet: []).event(by: "t"))
            var spent = StoreConformanceTests.record("req_spent", at: now.timeIntervalSince1970, route: "claims")
            spent.cost = Money(dollars: 9.5)
            try await storage.log.append([spent])
            let judgement = DriftJudgementRecord(route: "claims", windowStart: now, state: .drifting, findings: [], alerts: [], judgedAt: now)
            try await storage.drift.saveJudgement(judgement)

            let report = try await Readiness(configuration: try Self.configuration(), storage: storage).report(route: "claims")
            let risk = try #require(report.findings.first { $0.check == .risk })
            #expect(risk.passed && risk.evidence.contains("1 key(s) may decide reviews; 1 case(s) wait for a decision now"), "\(risk)")
            let data = try #require(report.findings.first { $0.check == .data })
            #expect(data.passed && data.evidence.last?.contains("10 sample records of a.jsonl validated just now: 90 % accepted") == true, "\(data)")
            let fallback = try #require(report.findings.first { $0.check == .fallback })
            #expect(fallback.passed && fallback.evidence.last == "rehearsal s.yaml passed just now: outage 100 % succeeded", "\(fallback)")
            let monitoring = try #require(report.findings.first { $0.check == .monitoring })
            #expect(monitoring.evidence.contains("budget of route claims, per day: $9.50 of $10.00 spent (95 %)"), "\(monitoring)")
            #expect(monitoring.missing.contains { $0.hasPrefix("the route is drifting") })
            let evaluation = try #require(report.findings.first { $0.check == .evaluation })
            #expect(evaluation.missing == ["the route's prompt claims@production names no version yet: push one and label it"])
            #expect(!report.ready)
            await #expect(throws: KeelError.self) {
                try await Readiness(configuration: try Self.configuration(), storage: storage).report(route: "nope")
            }
        }
    }
}
