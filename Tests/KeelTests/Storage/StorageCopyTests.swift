import Foundation
import KeelCore
import KeelStore
import Testing

/// `keel db copy`: a SQLite deployment filled through its ports arrives whole in PostgreSQL, read
/// back through the same ports; a database that already holds data is refused.
@Suite(.enabled(if: TestBackend.postgresURL != nil, "needs KEEL_TEST_POSTGRES_URL"))
struct StorageCopyTests {
    @Test func aSQLiteDeploymentArrivesWholeInPostgreSQL() async throws {
        try await withTemporaryDirectory { directory in
            let path = "\(directory)/keel.sqlite"
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            let workflow = WorkflowRef(keyID: "key_1", id: "wf")
            let team = BudgetAccount(budget: "team:search:day", windowStart: now)
            let idempotent = IdempotencyKey(scope: "key_1", key: "k")
            let triage = RegistryName(team: "search", name: "triage")
            let records = (0..<40).map { StoreConformanceTests.record("req_\(String(format: "%02d", $0))", at: Double($0), attempts: $0 % 3) }

            let source = try await KeelStorage.with(.sqlite(path: path), logger: TestBackend.quiet) { storage in
                let revoked = APIKeySecret.generate().key(name: "old", role: .app, team: "ads")
                for key in [APIKeySecret.generate().key(name: "ci", role: .operator, team: "search"), revoked] { try await storage.keys.insert(key) }
                _ = try await storage.keys.revoke(id: revoked.id, at: now)
                try await storage.log.append(records)
                for request in ["req_a", "req_b"] {
                    let input = [JSONObject([("role", "user"), ("content", "hi")])]
                    let begun = WorkflowStep(workflow: workflow, requestID: request, input: input, startedAt: now)
                    _ = try await storage.workflows.beginStep(begun, team: "search", route: "r", replica: "rep_a")
                    var step = try #require(try await storage.workflows.steps(of: workflow).first { $0.requestID == request })
                    step.status = .completed
                    step.output = JSONObject([("role", "assistant"), ("content", .string("answer to \(request)"))])
                    step.cost = Money(picodollars: 7)
                    step.finishedAt = now
                    try await storage.workflows.finishStep(step)
                }
                try await storage.workflows.saveSummary("so far", of: workflow, throughStep: 1, now: now)
                try await storage.budgets.open(team, opening: Money(dollars: 1))
                _ = try await storage.budgets.reserve(
                    id: "req_held",
                    amount: Money(dollars: 2),
                    against: [(team, Money(dollars: 10))],
                    replica: "rep_a"
                )
                _ = try await storage.idempotency.claim(
                    idempotent,
                    fingerprint: "f",
                    requestID: "req_00",
                    replica: "rep_a",
                    now: now,
                    expires: .distantFuture
                )
                try await storage.idempotency.answer(
                    idempotent,
                    with: .completion(ChatCompletion(id: "c", created: 1, model: "m", contents: ["hi"], finishReason: "stop", usage: nil))
                )
                try await storage.sessions.insert(DashboardSession(hash: "h1", keyID: revoked.id, createdAt: now, expiresAt: .distantFuture))
                _ = try await storage.rateLimits.exchange(["key_1": RateConsumption(requests: 3, tokens: 30)], replica: "rep_a")
                _ = try await storage.prompts.push(try StoreConformanceTests.template("Sort {{topic}}."), as: triage, tokens: 4, by: "ci", at: now)
                _ = try await storage.prompts.moveLabel("production", of: triage, to: 1, by: "ci", reason: nil, at: now)
                try await storage.evaluations.createRun(
                    EvaluationRun(
                        id: "eval_1",
                        team: "search",
                        prompt: triage,
                        promptVersion: 1,
                        dataset: triage,
                        datasetVersion: 1,
                        route: "r",
                        plan: EvaluationPlan(scorers: [.exact], gate: [GateCondition(scope: .overall, minimumPassRate: 0.9)]),
                        caseCount: 1,
                        startedAt: now,
                        createdBy: "ci"
                    )
                )
                try await storage.evaluations.record(
                    [EvaluationResult(caseID: "c1", outcome: .passed, answer: "ok", latencyMs: 3, finishedAt: now)],
                    run: "eval_1"
                )
                try await storage.feedback.insert(
                    Feedback(requestID: "req_01", team: "search", keyID: nil, correction: ["queue": "tech"], createdAt: now)
                )
                return try await Snapshot(storage, workflow: workflow, account: team)
            }

            try await TestBackend.postgres.withConfiguration { configuration in
                guard case .postgres(let url, let poolSize) = configuration else { throw TestDatabaseError("a PostgreSQL configuration") }
                let target = try await PostgresStore.open(url: url, poolSize: poolSize, logger: TestBackend.quiet)
                let copied = try await StorageCopy.copy(fromSQLite: path, to: target)
                let rows = Dictionary(uniqueKeysWithValues: copied.map { ($0.table, $0.rows) })
                #expect(rows["requests"] == 40 && rows["attempts"] == records.map(\.attempts.count).reduce(0, +) && rows["api_keys"] == 2)
                await #expect(throws: KeelError.self, "a database holding keys and requests is refused") {
                    try await StorageCopy.copy(fromSQLite: path, to: target)
                }
                await target.close()

                try await KeelStorage.with(configuration, logger: TestBackend.quiet) { storage in
                    let arrived = try await Snapshot(storage, workflow: workflow, account: team)
                    // Every port reads the same on PostgreSQL, one field at a time so that a failure stays readable.
                    #expect(arrived.keys == source.keys)
                    #expect(arrived.log == source.log)
                    #expect(arrived.steps == source.steps && arrived.history == source.history)
                    #expect(arrived.balance == source.balance && arrived.session == source.session)
                    #expect(arrived.prompts == source.prompts && arrived.promptHistory == source.promptHistory)
                    #expect(arrived.evaluation == source.evaluation && arrived.results == source.results && arrived.results.count == 1)
                    #expect(arrived.feedback == source.feedback && arrived.feedback.count == 1)
                    _ = try await storage.prompts.moveLabel("staging", of: triage, to: 1, by: "ci", reason: nil, at: now)
                    #expect(try await storage.prompts.history(of: triage).count == 3, "new events are numbered after the copied ones")
                    let next = try await storage.workflows.beginStep(
                        WorkflowStep(workflow: workflow, requestID: "req_c", input: [], startedAt: now),
                        team: "search",
                        route: "r",
                        replica: "rep_b"
                    )
                    #expect(next == 3, "the workflow goes on numbering after its copied steps")
                    let claim = try await storage.idempotency.claim(
                        idempotent,
                        fingerprint: "f",
                        requestID: "req_again",
                        replica: "rep_b",
                        now: now,
                        expires: .distantFuture
                    )
                    guard case .answered(_, let original) = claim else { throw TestDatabaseError("the copied answer replays: \(claim)") }
                    #expect(original == "req_00")
                    let usage = try await storage.rateLimits.exchange([:], replica: "rep_b")
                    #expect(usage == ["key_1": ["rep_a": RateConsumption(requests: 3, tokens: 30)]])
                }
            }
        }
    }

    /// What the ports read from a storage, to compare two of them.
    struct Snapshot {
        var keys: [APIKey]
        var log: [RequestRecord]
        var steps: [WorkflowStep]
        var history: WorkflowHistory?
        var balance: BudgetBalance?
        var session: DashboardSession?
        var prompts: [PromptVersion]
        var promptHistory: [PromptEvent]
        var evaluation: EvaluationRun?
        var results: [EvaluationResult]
        var feedback: [Feedback]

        init(_ storage: KeelStorage, workflow: WorkflowRef, account: BudgetAccount) async throws {
            keys = try await storage.keys.keys(in: .all).sorted { $0.id < $1.id }
            log = try await storage.log.requests(matching: RequestQuery(limit: 1000))
            steps = try await storage.workflows.steps(of: workflow)
            history = try await storage.workflows.history(of: workflow)?.history
            balance = try await storage.budgets.balances(of: [account])[account]
            session = try await storage.sessions.session(hash: "h1")
            prompts = try await storage.prompts.versions(of: RegistryName(team: "search", name: "triage"))
            promptHistory = try await storage.prompts.history(of: RegistryName(team: "search", name: "triage"))
            evaluation = try await storage.evaluations.run(id: "eval_1")
            results = try await storage.evaluations.results(of: "eval_1")
            feedback = try await storage.feedback.recentFeedback(in: .all, limit: 10)
        }
    }
}
