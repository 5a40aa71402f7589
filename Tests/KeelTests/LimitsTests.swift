import Foundation
import KeelCore
import KeelTesting
import Synchronization
import Testing

/// Rate limits and budgets: refusals that cost nothing upstream and say when to retry, reservations
/// that hold under concurrency, windows that roll over with the clock.
@Suite struct LimitsTests {
    static let key = APIKeySecret(value: "sk-keel-limits-test-0123456789abcdef").key(name: "app", role: .app, team: "search")

    @Test func requestsAndTokensPerMinuteRefillWithTheClock() throws {
        let clock = ManualClock()
        let limits = RateLimits(defaultLimit: .init(requestsPerMinute: 3, tokensPerMinute: 1000), clock: clock.keelClock)
        for _ in 0..<3 { try limits.admit(Self.key, tokens: 10) }
        let refusal = #expect(throws: KeelError.self) { try limits.admit(Self.key, tokens: 10) }
        #expect(refusal?.code == .rateLimitExceeded && refusal?.status == 429 && refusal?.retryAfter == 20)
        clock.advance(by: .seconds(20))
        try limits.admit(Self.key, tokens: 10)

        clock.advance(by: .seconds(60))
        try limits.admit(Self.key, tokens: 700)
        let tokens = #expect(throws: KeelError.self) { try limits.admit(Self.key, tokens: 700) }
        #expect(tokens?.message.contains("tokens per minute") == true && tokens?.retryAfter == 24, "\(String(describing: tokens))")
    }

    @Test func aBudgetRollsOverWithItsWindowAndWarnsPastItsSoftLimit() throws {
        let clock = ManualClock(origin: ISO8601DateFormatter().date(from: "2026-11-22T23:00:00Z")!)
        let daily = Budget(scope: .team("search"), window: .day, limit: Money(dollars: 1), softLimit: Money(dollars: 0.5))
        let ledger = BudgetLedger(budgets: [daily], clock: clock.keelClock)
        let first = try ledger.reserve(Money(dollars: 0.6), against: [daily])
        #expect(ledger.settle(first, cost: Money(dollars: 0.6)).map(\.budget) == [daily], "the soft limit was crossed")
        let refusal = #expect(throws: KeelError.self) { try ledger.reserve(Money(dollars: 0.5), against: [daily]) }
        #expect(refusal?.code == .budgetExceeded && refusal?.retryAfter == 3600, "retry when the day rolls over, in an hour")
        #expect(ledger.remaining([daily]) == Money(dollars: 0.4))
        clock.advance(by: .seconds(3600))
        let next = try ledger.reserve(Money(dollars: 0.5), against: [daily])
        ledger.settle(next, cost: Money(dollars: 0.1))
        #expect(ledger.remaining([daily]) == Money(dollars: 0.9))
    }

    @Test func twoHundredConcurrentRequestsCannotOverrunABudget() async throws {
        // Each request reserves 10 input + 100 output tokens at $1 per token: $110; it really costs $30.
        let model = ModelDeployment(
            name: "m",
            provider: "p",
            upstreamModel: "m",
            price: Price(perTokenInput: Money(dollars: 1), output: Money(dollars: 1))
        )
        let limit = Money(dollars: 1000)
        let budget = Budget(scope: .route("r"), window: .total, limit: limit)
        let ledger = BudgetLedger(budgets: [budget], clock: .system)
        let upstream = ScriptedUpstream(
            Array(repeating: .reply("ok", usage: TokenUsage(inputTokens: 10, outputTokens: 20)), count: 200),
            delay: .milliseconds(20)
        )
        let records = RecordingObserver()
        let pipeline = Pipeline(stages: [
            RecordStage(observers: [records]),
            BudgetStage(ledger: ledger),
            AccountUsageStage(),
            InferStage(upstreams: ["p": upstream], health: UpstreamHealth(deployments: [model], clock: .system)),
        ])
        let body = try ChatCompletionRequest(
            json: JSONParser.parse(#"{"model":"r","max_tokens":100,"messages":[{"role":"user","content":"hi"}]}"#)
        )
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<200 {
                group.addTask {
                    var request = GatewayRequest(operation: .chat, credential: nil, body: [])
                    request.payload = .chat(body)
                    request.route = Route(name: "r", targets: [model], policy: RoutePolicy(maxAttempts: 1))
                    request.promptTokens = 10
                    _ = await pipeline.handle(request)
                }
            }
        }
        let all = records.records
        #expect(all.count == 200, "every request is recorded")
        let served = all.filter { $0.status == 200 }
        let refused = all.filter { $0.errorCode == "budget_exceeded" }
        #expect(served.count + refused.count == 200)
        let spent = served.reduce(Money.zero) { $0 + ($1.cost ?? .zero) }
        #expect(spent <= limit + Money(dollars: 110), "settled \(spent) against a limit of \(limit)")
        #expect(served.count >= 9, "as many worst cases as the limit holds went ahead at once")
        #expect(upstream.requests.count == served.count, "a refused request never reached the upstream")
        #expect(ledger.spend.first?.spent == spent)
    }
}
