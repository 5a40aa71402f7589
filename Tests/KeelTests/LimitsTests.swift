import Foundation
import KeelApp
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

    @Test func aBudgetRollsOverWithItsWindowAndWarnsPastItsSoftLimit() async throws {
        let clock = ManualClock(origin: ISO8601DateFormatter().date(from: "2026-11-22T23:00:00Z")!)
        let daily = Budget(scope: .team("search"), window: .day, limit: Money(dollars: 1), softLimit: Money(dollars: 0.5))
        let ledger = BudgetLedger(budgets: [daily], store: InMemoryBudgetStore(), replica: "rep_test", clock: clock.keelClock) { _, _ in .zero }
        let first = try await ledger.reserve(Money(dollars: 0.6), for: "req_1", against: [daily])
        let settled = try await ledger.settle(first, cost: Money(dollars: 0.6))
        #expect(settled.alerts.map(\.budget) == [daily], "the soft limit was crossed")
        #expect(settled.remaining == Money(dollars: 0.4))
        await #expect { try await ledger.reserve(Money(dollars: 0.5), for: "req_2", against: [daily]) } throws: { error in
            guard let error = error as? KeelError else { return false }
            return error.code == .budgetExceeded && error.retryAfter == 3600  // retry when the day rolls over, in an hour
        }
        clock.advance(by: .seconds(3600))
        let next = try await ledger.reserve(Money(dollars: 0.5), for: "req_3", against: [daily])
        #expect(next.remaining == Money(dollars: 0.5))
        #expect(try await ledger.settle(next, cost: Money(dollars: 0.1)).remaining == Money(dollars: 0.9))
        #expect(try await ledger.spend().first?.spent == Money(dollars: 0.1), "the new day's spend")
    }

    /// Each request reserves its input and 100 output tokens at $0.10 a token; it really costs 30 tokens.
    @Test(arguments: TestBackend.available)
    func twoHundredConcurrentRequestsCannotOverrunABudget(on backend: TestBackend) async throws {
        let upstream = ScriptedUpstream(
            Array(repeating: .reply("ok", usage: TokenUsage(inputTokens: 10, outputTokens: 20)), count: 200),
            delay: .milliseconds(20)
        )
        let records = RecordingObserver()
        let yaml = """
            providers: { p: { type: simulated } }
            models: { m: { provider: p, upstream_model: m, price: { input: 100000, output: 100000 } } }
            routes: { r: { model: m, max_attempts: 1 } }
            budgets: [{ route: r, window: total, limit_usd: 100 }]
            """
        try await TestPipeline.with(yaml, upstreams: ["p": upstream], observers: [records], backend: backend) { test in
            let body = #"{"model":"r","max_tokens":100,"messages":[{"role":"user","content":"hi hi hi hi hi hi"}]}"#
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<200 { group.addTask { _ = await test.send(body) } }
            }
            let all = records.records
            #expect(all.count == 200, "every request is recorded")
            let served = all.filter { $0.status == 200 }
            let refused = all.filter { $0.errorCode == "budget_exceeded" }
            #expect(served.count + refused.count == 200, "\(Set(all.map { $0.errorCode ?? "ok" }))")
            let spent = served.reduce(Money.zero) { $0 + ($1.cost ?? .zero) }
            let worstCase = try #require(all.compactMap(\.promptTokens).first).saturatingAdd(100)
            let limit = Money(dollars: 100)
            #expect(spent <= limit + Money(dollars: 0.1 * Double(worstCase)), "settled \(spent) against a limit of \(limit)")
            #expect(served.count >= 9, "as many worst cases as the limit holds went ahead at once")
            #expect(upstream.requests.count == served.count, "a refused request never reached the upstream")
            #expect(try await test.components.budgets.spend().first?.spent == spent, "the account holds exactly what was settled")
        }
    }
}
