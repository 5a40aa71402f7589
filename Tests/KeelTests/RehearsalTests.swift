import Foundation
import KeelApp
import KeelCore
import Testing

/// `keel rehearse`: scenarios are checked like configurations, and a short run measures what happened.
@Suite struct RehearsalTests {
    static let scenario = """
        description: a short outage
        gateway:
          providers:
            a: { type: simulated, seed: 1, latency: { p50_ms: 5, p99_ms: 20 }, tokens_per_second: 0, output_tokens: { min: 4, max: 4 } }
            b: { type: simulated, seed: 2, latency: { p50_ms: 5, p99_ms: 20 }, tokens_per_second: 0, output_tokens: { min: 4, max: 4 } }
          models:
            primary: { provider: a, price: { input: 1.0, output: 1.0 } }
            fallback: { provider: b }
          routes:
            chat: { model: primary, fallbacks: [fallback], latency_budget_ms: 5000 }
          circuit_breaker: { consecutive_failures: 3, open_seconds: 0.5 }
        traffic: { route: chat, rate_per_second: 200, stream_share: 0.25 }
        phases:
          - { name: healthy, seconds: 1 }
          - name: outage
            seconds: 2
            providers: { a: { faults: { unavailable: 1.0 } } }
            expect: { success_rate: 0.99, amplification: 1.2, share_while_open: { primary: 0.01 } }
          - name: recovery
            seconds: 3
            expect: { success_rate: 1.0 }
        """

    @Test func aShortOutageIsRiddenOutAndTheBreakerClosesWithinOneProbeInterval() async throws {
        let (parsed, problems) = RehearsalScenario.check(yaml: Self.scenario)
        #expect(problems.isEmpty, "\(problems)")
        let report = try await Rehearsal(scenario: try #require(parsed)).run()
        let (healthy, outage, recovery) = (report.phases[0], report.phases[1], report.phases[2])
        #expect(healthy.requests == 200 && outage.requests == 400 && recovery.requests == 600, "sent on schedule")
        // Every healthy request went to the primary first; one sent just before the outage may meet it,
        // be retried there and fall back.
        #expect((200...202).contains(healthy.attemptsByDeployment["primary", default: 0]), "\(healthy.attemptsByDeployment)")
        #expect(healthy.attemptsByDeployment["fallback", default: 0] <= 2, "\(healthy.attemptsByDeployment)")
        #expect(outage.successRate >= 0.99 && outage.amplification <= 1.2, "\(report.render())")
        #expect((outage.shareWhileOpen("primary") ?? 1) < 0.01, "the open breaker keeps requests off the dead primary")
        #expect(outage.retryTokens > 0 && outage.retryCost > .zero, "the failed calls' prompts are counted as retry overhead")
        let opened = try #require(report.transitions.first { $0.to == .open })
        // Three failures in a row open it: the dead primary sees a few calls (each request may retry it,
        // and a busy machine sends a burst at once), out of 400 requests, however late the outage begins.
        #expect(opened.phase == 1, "the breaker opened in the outage, at \(opened.at)")
        #expect(outage.attemptsByDeployment["primary", default: 0] <= 24, "\(report.render())")
        let closed = try #require(report.transitions.first { $0.to == .closed && $0.phase == 2 }, "\(report.render())")
        // One probe interval (500 ms) after the recovery, with four times as much for a machine busy
        // with the other tests.
        #expect(closed.at - .seconds(3) < .milliseconds(500 + 2000), "closed within one probe interval of the recovery, not at \(closed.at)")
        #expect(report.unmet.isEmpty, "\(report.unmet)")
        #expect(report.render().contains("recovery"))
    }

    @Test func aBrokenScenarioReportsEveryProblemWithItsLine() {
        let broken = """
            gateway:
              providers:
                real: { type: openai, base_url: "http://127.0.0.1:1/v1" }
              models:
                m: { provider: real }
              routes:
                chat: m
            traffic: { route: chta, rate_per_second: 10 }
            phases:
              - { name: one, seconds: 1, expect: { succes_rate: 0.9 } }
            """
        let (scenario, problems) = RehearsalScenario.check(yaml: broken)
        #expect(scenario == nil)
        #expect(problems.contains { $0.path == "gateway.providers.real" && $0.message.contains("simulated") })
        #expect(problems.contains { $0.path == "traffic.route" && $0.line == 8 })
        #expect(problems.contains { $0.path == "phases.0.expect.succes_rate" && $0.fix == "did you mean 'success_rate'?" })
    }
}
