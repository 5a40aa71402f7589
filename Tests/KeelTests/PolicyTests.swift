import KeelCore
import KeelTesting
import Testing

/// Backoff, retry budget and circuit breaker, on a manual clock: no test here sleeps.
@Suite struct PolicyTests {
    @Test func backoffIsFullJitterUnderAnExponentialCeilingAndACap() {
        let backoff = Backoff(base: .milliseconds(100), cap: .seconds(1))
        #expect(backoff.delay(beforeRetry: 0, unit: 0) == .zero)
        #expect(backoff.delay(beforeRetry: 0, unit: 0.5) == .milliseconds(50))
        #expect(backoff.delay(beforeRetry: 2, unit: 0.5) == .milliseconds(200))
        #expect(backoff.delay(beforeRetry: 10, unit: 0.999) <= .seconds(1))
        #expect(backoff.delay(beforeRetry: 100, unit: 0.5) == .milliseconds(500))
    }

    @Test func theRetryBudgetAllowsOnlyItsShareOfRequests() {
        let budget = RetryBudget(ratio: 0.2, capacity: 2)
        #expect(budget.tryRetry() && budget.tryRetry())
        #expect(!budget.tryRetry())
        for _ in 0..<5 { budget.recordRequest() }
        #expect(budget.tryRetry())
        #expect(!budget.tryRetry())
        // In an outage where every request would retry, retries stay near 20 % of requests.
        var retries = 0
        for _ in 0..<10_000 {
            budget.recordRequest()
            if budget.tryRetry() { retries += 1 }
        }
        #expect(retries <= 2_000 + 2)
        #expect(retries >= 1_990)
    }

    func breaker(_ clock: ManualClock) -> CircuitBreaker {
        var configuration = CircuitBreaker.Configuration()
        configuration.consecutiveFailures = 3
        configuration.minimumCalls = 10
        configuration.failureRate = 0.5
        configuration.window = .seconds(10)
        configuration.openDuration = .seconds(5)
        return CircuitBreaker(configuration: configuration, clock: clock.keelClock)
    }

    @Test func theBreakerOpensOnConsecutiveFailuresAndProbesOnceWhenItsTimeIsUp() {
        let clock = ManualClock()
        let breaker = breaker(clock)
        for _ in 0..<2 { #expect(breaker.allowsCall() && breaker.record(success: false) == nil) }
        #expect(breaker.allowsCall())
        #expect(breaker.record(success: false) == .init(from: .closed, to: .open))
        #expect(!breaker.allowsCall())
        clock.advance(by: .milliseconds(4_999))
        #expect(!breaker.allowsCall())
        clock.advance(by: .milliseconds(1))
        #expect(breaker.state == .halfOpen)
        #expect(breaker.allowsCall(), "one probe")
        #expect(!breaker.allowsCall(), "only one probe at a time")
        #expect(breaker.record(success: false) == .init(from: .halfOpen, to: .open))
        clock.advance(by: .seconds(5))
        #expect(breaker.allowsCall())
        #expect(breaker.record(success: true) == .init(from: .halfOpen, to: .closed))
        #expect(breaker.allowsCall() && breaker.allowsCall())
    }

    @Test func theBreakerOpensOnAFailureRateOverItsWindowOnly() {
        let clock = ManualClock()
        let breaker = breaker(clock)
        // Alternating outcomes never make three failures in a row, but half of them fail.
        for index in 0..<9 {
            _ = breaker.allowsCall()
            #expect(breaker.record(success: index % 2 == 1) == nil)
        }
        _ = breaker.allowsCall()
        #expect(breaker.record(success: false) == .init(from: .closed, to: .open))

        let slow = self.breaker(clock)
        for index in 0..<30 {
            _ = slow.allowsCall()
            _ = slow.record(success: index % 2 == 1)
            clock.advance(by: .seconds(4))  // the window never holds ten calls
        }
        #expect(slow.state == .closed)
    }
}
