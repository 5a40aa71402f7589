import Foundation
import KeelCore
import KeelStore
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

/// Two `keel serve` processes on one PostgreSQL database, as replicas behind a load balancer: what
/// they share holds within the tolerances the README gives, through kills and restarts.
@Suite(.enabled(if: TestBackend.postgresURL != nil, "needs a PostgreSQL server: KEEL_TEST_POSTGRES_URL"))
struct ReplicaTests {
    static let appSecret = "sk-keel-replica-app-0123456789abcdef"
    static let limitedSecret = "sk-keel-replica-limited-0123456789abcdef"

    /// Two replicas of one configuration: route `chat` calls `upstream` (a scripted server), route
    /// `sim` the simulator; `admin`, `app` and `limited` keys; `extraYAML` adds sections.
    final class Replicas: Sendable {
        let config: String
        let ports: [Int]
        let environment: [String: String]
        private let running = Mutex<[KeelProcess?]>([nil, nil])

        init(directory: String, databaseURL: String, upstreamPort: Int, extraYAML: String, extraRoutes: String) throws {
            config = "\(directory)/keel.yaml"
            ports = [randomPort(), randomPort()]
            environment = [
                "KEEL_REPLICA_DATABASE_URL": databaseURL, "KEEL_REPLICA_APP": ReplicaTests.appSecret,
                "KEEL_REPLICA_LIMITED": ReplicaTests.limitedSecret,
            ]
            try """
            storage: { driver: postgres, url_env: KEEL_REPLICA_DATABASE_URL, pool_size: 4 }
            replicas: { lease_seconds: 2 }
            log: { level: error }
            providers:
              up: { type: openai, base_url: "http://127.0.0.1:\(upstreamPort)/v1", timeout_seconds: 20 }
              sim: { type: simulated, latency: { p50_ms: 50, p99_ms: 100 }, tokens_per_second: 0, output_tokens: { min: 8, max: 8 } }
            models:
              scripted: { provider: up, price: { input: 1000, output: 2000 } }
              simulated: { provider: sim, price: { input: 1000, output: 2000 } }
            routes:
              chat: { model: scripted, max_attempts: 1, latency_budget_ms: 20000 }
              sim: simulated
            \(extraRoutes)
            keys:
              admin: { role: admin, secret_env: KEEL_PROCESS_ADMIN }
              app: { role: app, secret_env: KEEL_REPLICA_APP }
              limited: { role: app, secret_env: KEEL_REPLICA_LIMITED }
            \(extraYAML)
            """.write(toFile: config, atomically: true, encoding: .utf8)
        }

        /// Replica `index`, started if it is not running.
        subscript(index: Int) -> KeelProcess {
            get async throws {
                if let server = running.withLock({ $0[index] }) { return server }
                let server = try await KeelProcess.start(config: config, port: ports[index], environment: environment)
                running.withLock { $0[index] = server }
                return server
            }
        }

        /// Both replicas, started at the same moment.
        func startBoth() async throws -> (KeelProcess, KeelProcess) {
            async let a = self[0]
            async let b = self[1]
            return try await (a, b)
        }

        func kill(_ index: Int) {
            running.withLock { $0[index] }?.kill()
            running.withLock { $0[index] = nil }
        }
        func stop(_ index: Int) {
            running.withLock { $0[index] }?.stop()
            running.withLock { $0[index] = nil }
        }
        func stopAll() { for index in ports.indices { stop(index) } }
    }

    /// Runs `body` with two replicas on a fresh database, and an upstream that answers as `script` says.
    func withReplicas(
        extraYAML: String = "",
        extraRoutes: (_ upstreamPort: Int) -> String = { _ in "" },
        upstream script: @escaping @Sendable (ScriptedHTTPServer.Request) -> ScriptedHTTPServer.Reply = { _ in ReplicaTests.answer("ok") },
        _ body: (Replicas, ScriptedHTTPServer) async throws -> Void
    ) async throws {
        let upstream = try await ScriptedHTTPServer(script)
        try await TestBackend.postgres.withConfiguration { storage in
            guard case .postgres(let url, _) = storage else { return }
            try await withTemporaryDirectory { directory in
                let replicas = try Replicas(
                    directory: directory,
                    databaseURL: url,
                    upstreamPort: upstream.port,
                    extraYAML: extraYAML,
                    extraRoutes: extraRoutes(upstream.port)
                )
                do {
                    try await body(replicas, upstream)
                } catch {
                    replicas.stopAll()
                    throw error
                }
                replicas.stopAll()
            }
        }
        try await upstream.stop()
    }

    /// An upstream chat completion answering `content`.
    static func answer(_ content: String, delay: TimeAmount = .zero, id: String = "chatcmpl-up") -> ScriptedHTTPServer.Reply {
        let body: JSONValue = [
            "id": .string(id), "object": "chat.completion", "created": 1, "model": "m",
            "choices": [["index": 0, "message": ["role": "assistant", "content": .string(content)], "finish_reason": "stop"]],
            "usage": ["prompt_tokens": 10, "completion_tokens": 8, "total_tokens": 18],
        ]
        let reply = ScriptedHTTPServer.Reply.answer(status: .ok, body: body.jsonString)
        return delay == .zero ? reply : .later(delay, reply)
    }

    /// The user messages' contents of an upstream request, in order, and its assistant messages'.
    static func turns(of request: ScriptedHTTPServer.Request) -> (user: [String], assistant: [String]) {
        let messages = (try? JSONParser.parse(request.body).objectValue?["messages"]?.arrayValue) ?? []
        func contents(_ role: String) -> [String] {
            messages.compactMap { $0.objectValue }.filter { $0["role"]?.stringValue == role }.compactMap { $0["content"]?.stringValue }
        }
        return (contents("user"), contents("assistant"))
    }

    // MARK: budgets

    @Test func twoHundredRequestsSplitAcrossReplicasNeverSpendPastTheBudgetByMoreThanOneReservation() async throws {
        // Each request costs 10 × $0.001 + 8 × $0.002 = $0.026 upstream; a $1 budget holds 38 of them.
        let limit = Money(dollars: 1)
        try await withReplicas(extraYAML: "budgets: [{ key: app, window: day, limit_usd: 1.0 }]") { replicas, _ in
            let (a, b) = try await replicas.startBoth()
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<200 {
                    group.addTask { try await (index % 2 == 0 ? a : b).chat("request \(index)", key: Self.appSecret).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let admitted = statuses.filter { $0 == 200 }.count
            let unexpected = statuses.filter { ![200, 429].contains($0) }
            #expect(unexpected.isEmpty, "\(unexpected)")
            let spent = try await Self.spend(on: a, expecting: admitted)
            // A reservation is the request's worst case: its prompt as Keel counts it, and max_tokens.
            let reservation = Money(dollars: 0.05)
            #expect(spent <= limit + reservation, "spent \(spent) of \(limit) with \(admitted) requests")
            #expect(admitted >= 30, "the budget admits what it holds (\(admitted)): reservations are settled, not leaked")
            for replica in [a, b] { #expect(try await replica.chat("one more", key: Self.appSecret).status == 429, "the budget is spent on both") }
        }
    }

    /// What the request log says the admitted requests cost, once all `count` are written.
    static func spend(on server: KeelProcess, expecting count: Int) async throws -> Money {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            let rows = try await server.call("GET", "/api/requests?limit=1000&status=200").json.objectValue?["data"]?.arrayValue ?? []
            if rows.count >= count || ContinuousClock.now > deadline {
                return rows.reduce(Money.zero) { $0 + Money(dollars: $1.objectValue?["cost_usd"]?.doubleValue ?? 0) }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    // MARK: rate limits

    @Test func aKeysRateLimitHoldsAcrossReplicasWithinTheirSharingInterval() async throws {
        // 30 a minute: a bucket of 30 that refills one every 2 s. 80 requests one after another,
        // alternating replicas: unshared, each replica would admit 30 of its own (60 and more).
        // Shared, 30 and the refill — which both replicas may each grant once before they exchange
        // totals (every 250 ms) — and a few the other admitted since the last exchange.
        try await withReplicas(extraYAML: "rate_limits: { keys: { limited: { requests_per_minute: 30 } } }") { replicas, _ in
            let (a, b) = try await replicas.startBoth()
            let started = ContinuousClock.now
            var admitted = 0
            for index in 0..<80 {
                let status = try await (index % 2 == 0 ? a : b).chat("request \(index)", route: "sim", key: Self.limitedSecret).status
                #expect(status == 200 || status == 429)
                if status == 200 { admitted += 1 }
            }
            let refill = Int(((ContinuousClock.now - started).seconds / 2).rounded(.up))
            #expect((30...(30 + 2 * refill + 4)).contains(admitted), "admitted \(admitted) of 80 against 30 a minute (refill \(refill))")
        }
    }

    // MARK: idempotency

    @Test func oneIdempotencyKeySentToBothReplicasAtOnceCallsTheUpstreamOnce() async throws {
        let script: @Sendable (ScriptedHTTPServer.Request) -> ScriptedHTTPServer.Reply = { _ in
            Self.answer("once", delay: .milliseconds(800), id: "chatcmpl-once")
        }
        try await withReplicas(upstream: script) { replicas, upstream in
            let (a, b) = try await replicas.startBoth()
            async let first = a.chat("pay invoice 7", key: Self.appSecret, idempotencyKey: "invoice-7")
            async let second = b.chat("pay invoice 7", key: Self.appSecret, idempotencyKey: "invoice-7")
            let answers = try await [first, second]
            #expect(answers.map(\.status) == [200, 200])
            #expect(upstream.requests.count == 1, "one upstream call for one key")
            #expect(answers[0].json.objectValue?["id"] == answers[1].json.objectValue?["id"], "the same answer to both")
            #expect(answers.filter { $0.replayed }.count == 1, "one of them a replay")
        }
    }

    // MARK: reviews

    @Test func aCaseHeldOnOneReplicaIsDecidedOnTheOtherAndReleasedOnceThroughAKill() async throws {
        let routes: (Int) -> String = { port in
            "  held: { model: simulated, risk: { high: ['amount >= 1000'] }, review: { wait_seconds: 2, callback_url: 'http://127.0.0.1:\(port)/decisions' } }"
        }
        try await withReplicas(extraRoutes: routes) { replicas, upstream in
            let (a, b) = try await replicas.startBoth()
            let body = #"{"model":"held","messages":[{"role":"user","content":"pay?"}],"metadata":{"amount":5000}}"#
            func pending() async throws -> [String] {
                for _ in 0..<100 {
                    let list = try await b.call("GET", "/api/reviews?status=pending").json.objectValue?["data"]?.arrayValue ?? []
                    if !list.isEmpty { return list.compactMap { $0.objectValue?["id"]?.stringValue } }
                    try await Task.sleep(for: .milliseconds(20))
                }
                return []
            }
            // Held on A while its client waits; decided on B; released by A.
            async let waited = a.call("POST", "/v1/chat/completions", body: body, key: Self.appSecret)
            let first = try #require(try await pending().first)
            #expect(try await b.call("POST", "/api/reviews/\(first)/decision", body: #"{"verdict":"approved"}"#).status == 200)
            let released = try await waited
            #expect(released.status == 200 && released.headers["x-keel-decision"] == ["human-approved"], "\(released.json)")

            // Held on A, which is killed while its client waits: the case stays, B decides it, and
            // its answer goes to the callback once its client's wait has lapsed.
            let killed = Task { try? await a.call("POST", "/v1/chat/completions", body: body, key: Self.appSecret) }
            let second = try #require(try await pending().first)
            replicas.kill(0)
            let lost = await killed.value
            #expect(lost == nil, "the killed replica's client got no answer")
            #expect(try await b.call("POST", "/api/reviews/\(second)/decision", body: #"{"verdict":"rejected","reason":"fraud"}"#).status == 200)
            let deadline = ContinuousClock.now + .seconds(15)
            while upstream.requests.filter({ $0.head.uri == "/decisions" }).isEmpty, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
            }
            _ = try await replicas[0]
            try await Task.sleep(for: .seconds(3))
            let callbacks = upstream.requests.filter { $0.head.uri == "/decisions" }
            #expect(callbacks.map { $0.head.headers["idempotency-key"].first } == [second], "one callback, for the case no client got")
            #expect(callbacks.first?.body.contains("review_rejected") == true)
        }
    }

    // MARK: workflows

    @Test func aTenStepWorkflowAlternatingReplicasSurvivesOneKilledMidStep() async throws {
        // Step 5 is slow upstream the first time, so that its replica is killed while it runs.
        let slowStepSeen = Mutex(false)
        let script: @Sendable (ScriptedHTTPServer.Request) -> ScriptedHTTPServer.Reply = { request in
            let step = Self.turns(of: request).user.last ?? ""
            let slow =
                step == "step 5"
                && slowStepSeen.withLock { seen in
                    defer { seen = true }
                    return !seen
                }
            return Self.answer("answer to \(step)", delay: slow ? .seconds(10) : .zero)
        }
        try await withReplicas(upstream: script) { replicas, upstream in
            _ = try await replicas.startBoth()
            for number in 1...10 {
                let replica = number % 2
                if number == 5 {
                    let killed = try await replicas[replica]
                    let call = Task { try? await killed.chat("step 5", key: Self.appSecret, workflow: "wf-ten", idempotencyKey: "step-5") }
                    try await upstream.waitForRequests(5)
                    replicas.kill(replica)
                    _ = await call.value
                    // The other replica takes the step back once the killed one's lease (2 s) expires.
                    let survivor = try await replicas[1 - replica]
                    let deadline = ContinuousClock.now + .seconds(15)
                    while try await survivor.stepStatuses("wf-ten").last != "interrupted", ContinuousClock.now < deadline {
                        try await Task.sleep(for: .milliseconds(200))
                    }
                    #expect(try await survivor.stepStatuses("wf-ten") == Array(repeating: "completed", count: 4) + ["interrupted"])
                    let retry = try await survivor.chat("step 5", key: Self.appSecret, workflow: "wf-ten", idempotencyKey: "step-5")
                    #expect(retry.status == 200 && !retry.replayed, "the interrupted step runs again")
                    let repeated = try await survivor.chat("step 5", key: Self.appSecret, workflow: "wf-ten", idempotencyKey: "step-5")
                    #expect(repeated.replayed, "and only once")
                    continue  // the killed replica starts again at the next step of its own
                }
                let answer = try await replicas[replica].chat(
                    "step \(number)",
                    key: Self.appSecret,
                    workflow: "wf-ten",
                    idempotencyKey: "step-\(number)"
                )
                #expect(answer.status == 200, "step \(number): \(answer.json)")
            }

            let calls = upstream.requests
            #expect(calls.count == 11, "ten steps, and step 5 twice")
            for call in calls {
                let (user, assistant) = Self.turns(of: call)
                let number = Int(user.last?.dropFirst("step ".count) ?? "") ?? 0
                // Each step's context is every step completed before it, whichever replica ran it.
                #expect(user == (1...number).map { "step \($0)" }, "step \(number) saw \(user)")
                #expect(assistant == (1..<number).map { "answer to step \($0)" }, "step \(number) saw \(assistant)")
            }
            let statuses = try await replicas[0].stepStatuses("wf-ten")
            #expect(statuses.filter { $0 == "completed" }.count == 10 && statuses.filter { $0 == "interrupted" }.count == 1, "\(statuses)")
        }
    }

    @Test func restartingOneReplicaNeverInterruptsTheOthersRunningStep() async throws {
        let script: @Sendable (ScriptedHTTPServer.Request) -> ScriptedHTTPServer.Reply = { _ in Self.answer("slow", delay: .seconds(5)) }
        try await withReplicas(upstream: script) { replicas, upstream in
            let (_, b) = try await replicas.startBoth()
            let running = Task { try await b.chat("long step", key: Self.appSecret, workflow: "wf-long") }
            try await upstream.waitForRequests(1)
            replicas.stop(0)
            let restarted = try await replicas[0]
            #expect(try await restarted.stepStatuses("wf-long") == ["running"], "a restart takes back only its own work")
            #expect(try await running.value.status == 200)
            #expect(try await restarted.stepStatuses("wf-long") == ["completed"])
        }
    }

    // MARK: keys

    @Test func aKeyRevokedOnOneReplicaIsRefusedByTheOtherWithinFiveSeconds() async throws {
        try await withReplicas { replicas, _ in
            let (a, b) = try await replicas.startBoth()
            let created = try await a.call("POST", "/api/keys", body: #"{"name":"short-lived","role":"app"}"#).json.objectValue
            let secret = try #require(created?["secret"]?.stringValue)
            let id = try #require(created?["id"]?.stringValue)
            #expect(try await b.chat("hello", route: "sim", key: secret).status == 200, "a key made on one replica works on the other")
            #expect(try await a.call("POST", "/api/keys/\(id)/revoke").status == 200)
            let revoked = ContinuousClock.now
            var status = 200
            while status == 200, ContinuousClock.now - revoked < .seconds(10) {
                status = try await b.chat("hello", route: "sim", key: secret).status
                if status == 200 { try await Task.sleep(for: .milliseconds(100)) }
            }
            let took = ContinuousClock.now - revoked
            #expect(status == 401 && took < .seconds(5), "refused after \(took) with \(status)")
        }
    }
}
