import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KeelApp
import KeelCore
import KeelStore
import KeelTesting
import KeelTokenizer
import Synchronization
import Testing

/// Cost from reported or counted usage, reports over the request log, prompt inflation and spend alerts.
@Suite struct CostTests {
    /// An OpenAI model (o200k_base), at $1 per input token and $2 per output token.
    static let model = ModelDeployment(
        name: "m",
        provider: "p",
        upstreamModel: "gpt-4o",
        price: Price(perTokenInput: Money(dollars: 1), output: Money(dollars: 2))
    )

    static func run(_ steps: [ScriptedUpstream.Step], stream: Bool = false) async throws -> RequestRecord {
        let records = RecordingObserver()
        let pipeline = Pipeline(stages: [
            RecordStage(observers: [records]),
            AccountUsageStage(counter: try ChatTokenCounter(deployments: [model])),
            InferStage(upstreams: ["p": ScriptedUpstream(steps)], health: UpstreamHealth(deployments: [model], clock: .system)),
        ])
        var request = GatewayRequest(operation: .chat, credential: nil, body: [])
        request.payload = .chat(
            try ChatCompletionRequest(json: JSONParser.parse(#"{"model":"r","stream":\#(stream),"messages":[{"role":"user","content":"hi"}]}"#))
        )
        request.route = Route(name: "r", targets: [model], policy: RoutePolicy(maxAttempts: 1))
        if case .success(.stream(let chunks, _)) = await pipeline.handle(request).1 {
            do { for try await _ in chunks {} } catch {}
        }
        return try #require(records.records.first)
    }

    @Test func anAnswerWithoutUsageIsCountedByKeelAndFlaggedAsEstimated() async throws {
        // tiktoken: "hi" from the user is 3 + 1 (role) + 1 (text) + 3 (reply priming) = 8 input
        // tokens; "Hello, world!" is 4 tokens in o200k_base.
        let answer = try await Self.run([.reply("Hello, world!", usage: nil)])
        #expect(answer.usageEstimated && answer.inputTokens == 8 && answer.outputTokens == 4)
        #expect(answer.cost == Money(dollars: 8 + 4 * 2))

        let reported = try await Self.run([.reply("Hello, world!", usage: TokenUsage(inputTokens: 9, outputTokens: 5))])
        #expect(!reported.usageEstimated && reported.cost == Money(dollars: 9 + 5 * 2), "the upstream's own figures win")
    }

    @Test func aStreamCutBeforeItsUsageIsChargedForWhatItGenerated() async throws {
        let cut = try await Self.run([.stream(["Hello", ", world"], usage: nil, failure: UpstreamError(.streamInterrupted, "cut"))], stream: true)
        #expect(cut.errorCode == "stream_interrupted")
        #expect(cut.usageEstimated && cut.inputTokens == 8 && cut.outputTokens == 3, "\(cut)")

        let whole = try await Self.run([.stream(["Hello", ", world"], usage: TokenUsage(inputTokens: 8, outputTokens: 3))], stream: true)
        #expect(!whole.usageEstimated && whole.cost == Money(dollars: 14))
    }

    @Test func reportsSumTheLogAlongEachDimension() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(path: "\(directory)/keel.sqlite")
            let alice = APIKeySecret.generate().key(name: "alice", role: .app, team: "search")
            let bob = APIKeySecret.generate().key(name: "bob", role: .app, team: "ads")
            try await store.insert(alice)
            try await store.insert(bob)
            let day1 = ISO8601DateFormatter().date(from: "2026-11-20T10:00:00Z")!
            let day2 = ISO8601DateFormatter().date(from: "2026-11-21T23:59:00Z")!
            func record(
                _ key: APIKey?,
                _ route: String?,
                _ at: Date,
                input: Int,
                dollars: Double,
                estimated: Bool = false,
                retry: Double? = nil
            )
                -> RequestRecord
            {
                RequestRecord(
                    id: RandomID.make(prefix: "req_"),
                    startedAt: at,
                    operation: "chat",
                    keyID: key?.id,
                    team: key?.team,
                    route: route,
                    model: route.map { "\($0)-model" },
                    status: route == nil ? 401 : 200,
                    durationMs: 1,
                    inputTokens: route == nil ? nil : input,
                    outputTokens: route == nil ? nil : 10,
                    cost: route == nil ? nil : Money(dollars: dollars),
                    usageEstimated: estimated,
                    retryCost: retry.map(Money.init(dollars:))
                )
            }
            try await store.append([
                record(alice, "chat", day1, input: 100, dollars: 1),
                record(alice, "chat", day2, input: 150, dollars: 2, estimated: true),
                record(alice, "chat", day2, input: 150, dollars: 2, retry: 0.25),
                record(bob, "summarize", day2, input: 1000, dollars: 0.5),
                record(nil, nil, day2, input: 0, dollars: 0),
                record(alice, "chat", day2.addingTimeInterval(120), input: 999, dollars: 99),  // after the period
            ])
            let (since, until) = CostReport.lastDays(2, now: day2)
            #expect(since == ISO8601DateFormatter().date(from: "2026-11-20T00:00:00Z") && until == day2.addingTimeInterval(60))

            let byKey = try await store.report(by: .key, since: since, until: until)
            #expect(byKey.lines.map(\.group) == ["alice", "bob", nil], "largest cost first; unauthenticated requests last")
            #expect(byKey.lines[0].requests == 3 && byKey.lines[0].cost == Money(dollars: 5) && byKey.lines[0].inputTokens == 400)
            #expect(byKey.lines[0].estimatedCost == Money(dollars: 2) && byKey.lines[0].retryCost == Money(dollars: 0.25))
            #expect(byKey.total.requests == 5 && byKey.total.cost == Money(dollars: 5.5) && byKey.total.outputTokens == 40)

            let byTeam = try await store.report(by: .team, since: since, until: until)
            #expect(byTeam.lines.map(\.group) == ["search", "ads", nil])
            let byModel = try await store.report(by: .model, since: since, until: until)
            #expect(byModel.lines.first?.group == "chat-model")
            let byDay = try await store.report(by: .day, since: since, until: until)
            #expect(byDay.lines.map(\.group) == ["2026-11-20", "2026-11-21"], "days in order")
            #expect(byDay.lines.map(\.cost) == [Money(dollars: 1), Money(dollars: 4.5)])

            let inflation = PromptInflation(try await store.promptSizes(since: since, until: until, in: .all))
            #expect(inflation.trends.map(\.route) == ["chat", "summarize"])
            #expect(inflation.trends[0].days.map(\.mean) == [100, 150] && inflation.trends[0].change == 0.5)
            #expect(inflation.trends[1].change == 0, "one day is no trend")
        }
    }

    @Test func spendAlertsFireOncePerDayOverTheThresholdOrOnAJump() throws {
        let clock = ManualClock(origin: ISO8601DateFormatter().date(from: "2026-11-22T12:00:00Z")!)
        let watch = SpendWatch(
            policy: .init(dailyThreshold: Money(dollars: 100), jumpFactor: 3, trailingDays: 7),
            clock: clock.keelClock
        )
        func day(_ name: String, _ dollars: Double) -> CostReport.Line {
            CostReport.Line(group: name, requests: 1, inputTokens: 0, outputTokens: 0, cost: Money(dollars: dollars))
        }
        let history = [day("2026-11-19", 10), day("2026-11-20", 0), day("2026-11-21", 20)]
        #expect(watch.check(history + [day("2026-11-22", 29)]).isEmpty, "a 3-day average of $10: $29 is under 3×")
        let jump = watch.check(history + [day("2026-11-22", 31)])
        #expect(jump.map(\.kind) == [.dailySpendJump] && jump[0].threshold == Money(dollars: 30), "\(jump)")
        #expect(watch.check(history + [day("2026-11-22", 50)]).isEmpty, "once a day")
        #expect(watch.check(history + [day("2026-11-22", 101)]).map(\.kind) == [.dailySpend])

        clock.advance(by: .seconds(86_400))
        #expect(watch.check([day("2026-11-23", 101)]).map(\.kind) == [.dailySpend], "a new day; no history in the window, no jump")
        #expect(watch.period.since == ISO8601DateFormatter().date(from: "2026-11-16T00:00:00Z"))
    }
}

/// Spend alerts, cost reports and cost metrics of a running gateway, over HTTP.
@Suite struct CostHTTPTests {
    final class Inbox: Sendable {
        private let received = Mutex<[JSONObject]>([])
        func append(_ alert: JSONObject) { received.withLock { $0.append(alert) } }
        var kinds: Set<String> { Set(received.withLock { $0 }.compactMap { $0["kind"]?.stringValue }) }
        var alerts: [JSONObject] { received.withLock { $0 } }
    }

    @Test func alertsReachTheWebhookAndReportsAndMetricsShowTheSpend() async throws {
        let inbox = Inbox()
        let router = Router()
        router.post("hook") { request, _ -> HTTPResponse.Status in
            let body = try await request.body.collect(upTo: 65_536)
            if let alert = try JSONParser.parse(body.readableBytesView).objectValue { inbox.append(alert) }
            return .ok
        }
        let receiver = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await receiver.test(.live) { hook in
            var gateway = TestGateway()
            gateway.extraYAML = """
                budgets:
                  - { team: search, window: day, limit_usd: 1000, soft_usd: 0.000001 }
                alerts: { webhook_url: "http://127.0.0.1:\(try #require(hook.port))/hook", daily_spend_usd: 0.000001, check_interval_seconds: 1 }
                """
            try await gateway.test { client in
                let answer = try await client.post("/v1/chat/completions", goodChat)
                #expect(answer.status == .ok)
                let id = try #require(answer.headers[HTTPField.Name("x-request-id")!])
                let row = try #require(try await client.logRecord(id: id))
                let cost = try #require(row["cost_usd"]?.doubleValue)
                #expect(cost > 0 && row["team"]?.stringValue == "search" && row["usage_estimated"] == .bool(false))

                let deadline = ContinuousClock.now + .seconds(10)
                while inbox.kinds != ["budget_soft_limit", "daily_spend"], ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(inbox.kinds == ["budget_soft_limit", "daily_spend"], "\(inbox.alerts)")
                #expect(inbox.alerts.count == 2, "each alert once")
                let daily = try #require(inbox.alerts.first { $0["kind"]?.stringValue == "daily_spend" })
                #expect(daily["spent_usd"]?.doubleValue == cost && daily["text"]?.stringValue?.contains("daily threshold") == true)

                let report = try await client.get("/api/cost?by=team&days=1", key: TestGateway.adminKey).json.objectValue
                let line = try #require(report?["data"]?.arrayValue?.first?.objectValue)
                #expect(line["group"]?.stringValue == "search" && line["requests"]?.integerValue == 1 && line["cost_usd"]?.doubleValue == cost)
                #expect(report?["total"]?.objectValue?["cost_usd"]?.doubleValue == cost)

                let inflation = try await client.get("/api/cost/inflation", key: TestGateway.adminKey).json.objectValue
                #expect(inflation?["data"]?.arrayValue?.first?.objectValue?["route"]?.stringValue == "gpt-test")

                let wrong = try await client.get("/api/cost?by=colour", key: TestGateway.adminKey)
                #expect(wrong.status == .badRequest && wrong.json.objectValue?["error"]?.objectValue?["param"]?.stringValue == "by")
                #expect(try await client.get("/api/cost", key: TestGateway.appKey).status == .forbidden, "admin keys only")

                let metrics = try await client.metrics()
                #expect(metrics.contains(#"keel_cost_usd_total{route="gpt-test",deployment="chat-model",estimated="false"}"#), "\(metrics)")
                #expect(metrics.contains(#"keel_budget_spent_usd{budget="team search",window="day"} \#(cost)"#), "\(metrics)")
                #expect(metrics.contains(#"keel_budget_limit_usd{budget="team search",window="day"} 1000"#))
            }
        }
    }
}
