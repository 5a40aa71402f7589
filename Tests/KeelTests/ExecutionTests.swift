import KeelCore
import KeelProviders
import KeelTesting
import Synchronization
import Testing

/// The infer stage under a route's policy: retries, fallbacks, breakers, budgets and deadlines.
@Suite struct ExecutionTests {
    static let primary = ModelDeployment(name: "primary", provider: "a", upstreamModel: "a-model")
    static let fallback = ModelDeployment(name: "fallback", provider: "b", upstreamModel: "b-model")
    static let ok = TokenUsage(inputTokens: 1, outputTokens: 1)

    struct Setup {
        let pipeline: Pipeline
        let a: ScriptedUpstream
        let b: ScriptedUpstream
        let health: UpstreamHealth
        let clock: ManualClock
        let route: Route

        func send(stream: Bool = false, content: String = "hi", extra: String = "") async -> (Exchange, Result<GatewayResponse, any Error>) {
            let body = #"{"model":"r","stream":\#(stream),\#(extra)"messages":[{"role":"user","content":"\#(content)"}]}"#
            var request = GatewayRequest(operation: .chat, credential: nil, body: [])
            request.payload = .chat(try! ChatCompletionRequest(json: JSONParser.parse(body)))
            request.route = route
            return await pipeline.handle(request)
        }
    }

    func setup(
        _ a: [ScriptedUpstream.Step],
        _ b: [ScriptedUpstream.Step] = [],
        policy: RoutePolicy = RoutePolicy(),
        targets: [ModelDeployment] = [primary, fallback],
        clock: ManualClock = ManualClock(),
        before: [any PipelineStage] = []
    ) -> Setup {
        var breaker = CircuitBreaker.Configuration()
        breaker.consecutiveFailures = 3
        let health = UpstreamHealth(deployments: targets, breaker: breaker, clock: clock.keelClock)
        let upstreams = (ScriptedUpstream(a), ScriptedUpstream(b))
        let infer = InferStage(upstreams: ["a": upstreams.0, "b": upstreams.1], health: health, clock: clock.keelClock, jitter: { 0.5 })
        return Setup(
            pipeline: Pipeline(stages: before + [infer], clock: clock.keelClock),
            a: upstreams.0,
            b: upstreams.1,
            health: health,
            clock: clock,
            route: Route(name: "r", targets: targets, policy: policy)
        )
    }

    func attempts(_ exchange: Exchange) -> [AttemptRecord] { exchange.finish(status: 200)?.attempts ?? [] }

    @Test func aRetryableFailureIsRetriedOnTheSameTargetAfterBackoff() async throws {
        let s = setup([.fail(UpstreamError(.unavailable, "down", status: 503)), .reply("ok", usage: Self.ok)])
        let (exchange, result) = await s.send()
        guard case .success(.completion(let completion)) = result else { throw Failure("expected success, got \(result)") }
        #expect(completion.content == "ok")
        let made = attempts(exchange)
        #expect(made.map(\.model) == ["primary", "primary"])
        #expect(made.map(\.error) == ["unavailable", nil])
        #expect(made[1].startOffsetMs >= 50, "the retry waited its backoff (100 ms × 0.5 jitter)")
        #expect(s.b.requests.isEmpty)
    }

    @Test func aFailingPrimaryFallsBackWithinTheAttemptLimit() async throws {
        let failure = ScriptedUpstream.Step.fail(UpstreamError(.serverError, "boom", status: 500))
        let s = setup([failure, failure, failure], [.reply("from fallback", usage: Self.ok)], policy: RoutePolicy(maxAttempts: 3))
        let (exchange, result) = await s.send()
        guard case .success(.completion(let completion)) = result else { throw Failure("expected success, got \(result)") }
        #expect(completion.content == "from fallback")
        #expect(attempts(exchange).map(\.model) == ["primary", "primary", "fallback"])
        #expect(s.b.requests.first?["model"] == "b-model")
    }

    @Test func theClientsOwnMistakesAreNeitherRetriedNorSentElsewhere() async {
        let s = setup([.fail(UpstreamError(.rejected, "bad tool schema", status: 400))], [.reply("never", usage: Self.ok)])
        let (_, result) = await s.send()
        guard case .failure(let error) = result else {
            Issue.record("expected failure")
            return
        }
        #expect(KeelError(presenting: error).status == 400)
        #expect(s.a.requests.count == 1 && s.b.requests.isEmpty)
    }

    @Test func anOpenBreakerSkipsItsTargetAtNoCost() async throws {
        let failure = ScriptedUpstream.Step.fail(UpstreamError(.serverError, "boom", status: 500))
        let s = setup(
            Array(repeating: failure, count: 3),
            Array(repeating: .reply("fallback", usage: Self.ok), count: 3),
            policy: RoutePolicy(maxAttempts: 4)
        )
        _ = await s.send()
        #expect(s.health.breaker(for: Self.primary)?.state == .open)
        let callsBefore = s.a.requests.count
        for _ in 0..<2 {
            let (exchange, result) = await s.send()
            guard case .success = result else { throw Failure("expected success") }
            #expect(attempts(exchange).map(\.model) == ["fallback"])
        }
        #expect(s.a.requests.count == callsBefore, "no call reaches an upstream whose breaker is open")
    }

    @Test func retryAfterIsHonouredOnlyWhenItFitsTheDeadline() async throws {
        let limited = ScriptedUpstream.Step.fail(UpstreamError(.rateLimited, "slow down", status: 429, retryAfter: 2))
        let fits = setup([limited, .reply("waited", usage: Self.ok)], policy: RoutePolicy(latencyBudget: .seconds(10)))
        let (exchange, _) = await fits.send()
        let waited = attempts(exchange)
        #expect(waited.map(\.model) == ["primary", "primary"])
        #expect(waited.last.map { $0.startOffsetMs >= 2000 } == true)

        let tooLong = setup([limited], [.reply("elsewhere", usage: Self.ok)], policy: RoutePolicy(latencyBudget: .seconds(1)))
        let (other, result) = await tooLong.send()
        guard case .success(.completion(let completion)) = result else { throw Failure("expected success") }
        #expect(completion.content == "elsewhere")
        let moved = attempts(other)
        #expect(moved.map(\.model) == ["primary", "fallback"])
        #expect(moved.last.map { $0.startOffsetMs < 1000 } == true, "no waiting for a Retry-After that does not fit")

        let tooLongForKeel = setup(
            [.fail(UpstreamError(.rateLimited, "come back in a minute", status: 429, retryAfter: 60))],
            policy: RoutePolicy(latencyBudget: .seconds(600)),
            targets: [Self.primary]
        )
        let (_, refused) = await tooLongForKeel.send()
        guard case .failure(let error) = refused else { throw Failure("expected the 429 back") }
        #expect(KeelError(presenting: error).retryAfter == 60, "a long Retry-After goes back to the client")
    }

    @Test func theRetryBudgetStopsRetriesButNotFallbacks() async throws {
        let failure = ScriptedUpstream.Step.fail(UpstreamError(.serverError, "boom", status: 500))
        let s = setup(
            Array(repeating: failure, count: 100),
            Array(repeating: .reply("b", usage: Self.ok), count: 100),
            policy: RoutePolicy(maxAttempts: 3)
        )
        // Spend the primary provider's budget.
        while s.health.budget(for: Self.primary)?.tryRetry() == true {}
        let (exchange, result) = await s.send()
        guard case .success = result else { throw Failure("expected success") }
        #expect(attempts(exchange).map(\.model) == ["primary", "fallback"])
    }

    @Test func aStreamThatFailsBeforeItsFirstChunkFallsBackTransparently() async throws {
        let cut = UpstreamError(.streamInterrupted, "cut before anything")
        let s = setup([.stream([], usage: nil, failure: cut), .stream([], usage: nil, failure: cut)], [.stream(["fine"], usage: Self.ok)])
        let (exchange, result) = await s.send(stream: true)
        guard case .success(.stream(let stream, _)) = result else { throw Failure("expected a stream, got \(result)") }
        var text = ""
        for try await chunk in stream { text += chunk.contentDelta ?? "" }
        #expect(text == "fine")
        #expect(attempts(exchange).map(\.model) == ["primary", "primary", "fallback"])
    }

    @Test func balancedDeploymentsShareTheLoadByWeightBeforeTheFallbacks() {
        let other = ModelDeployment(name: "other", provider: "b", upstreamModel: "o")
        let route = Route(name: "r", balanced: [.init(Self.primary, weight: 3), .init(other, weight: 1)], fallbacks: [Self.fallback])
        #expect(route.attemptOrder(draw: 0.0).map(\.name) == ["primary", "other", "fallback"])
        #expect(route.attemptOrder(draw: 0.74).map(\.name) == ["primary", "other", "fallback"])
        #expect(route.attemptOrder(draw: 0.76).map(\.name) == ["other", "primary", "fallback"])
        #expect(route.attemptOrder(draw: 0.999).map(\.name) == ["other", "primary", "fallback"])
        var random = SystemRandomNumberGenerator()
        let firsts = (0..<4000).map { _ in route.attemptOrder(draw: Double.random(in: 0..<1, using: &random))[0].name }
        let share = Double(firsts.filter { $0 == "primary" }.count) / 4000
        #expect(abs(share - 0.75) < 0.05, "share \(share)")
    }

    @Test func noRequestOutlivesItsLatencyBudget() async throws {
        let clock = KeelClock.system
        let health = UpstreamHealth(deployments: [Self.primary, Self.fallback], clock: clock)
        // Every call hangs, retries included: a machine slow enough to leave time for a retry must not
        // turn the timeout into a "script has no more steps" failure.
        let hanging = [ScriptedUpstream.Step](repeating: .hang, count: 4)
        let infer = InferStage(upstreams: ["a": ScriptedUpstream(hanging), "b": ScriptedUpstream(hanging)], health: health, clock: clock)
        var request = GatewayRequest(operation: .chat, credential: nil, body: [])
        request.payload = .chat(try ChatCompletionRequest(json: JSONParser.parse(#"{"model":"r","messages":[{"role":"user","content":"x"}]}"#)))
        request.route = Route(name: "r", targets: [Self.primary, Self.fallback], policy: RoutePolicy(latencyBudget: .milliseconds(200)))
        let started = ContinuousClock.now
        let (_, result) = await Pipeline(stages: [infer], clock: clock).handle(request)
        let took = ContinuousClock.now - started
        guard case .failure(let error) = result else {
            Issue.record("expected a timeout")
            return
        }
        #expect(KeelError(presenting: error).status == 504)
        // Far from the 200 ms budget only when the machine stalls (a loaded CI runs the whole suite
        // on two cores); against calls that never end, the bound still means the budget held.
        #expect(took < .seconds(5), "took \(took)")
    }

    @Test func aStreamStillGoingAtItsDeadlineEndsWithATimeoutAndReleasesTheUpstream() async throws {
        let s = setup([.streamThenHang(["one", " two"])], policy: RoutePolicy(latencyBudget: .milliseconds(300)), targets: [Self.primary])
        let started = ContinuousClock.now
        let (exchange, result) = await s.send(stream: true)
        guard case .success(.stream(let stream, _)) = result else { throw Failure("expected a stream, got \(result)") }
        var text = ""
        let ending: (any Error)?
        do {
            for try await chunk in stream { text += chunk.contentDelta ?? "" }
            ending = nil
        } catch {
            ending = error
        }
        let took = ContinuousClock.now - started
        #expect(text == "one two", "what came before the deadline reached the client")
        #expect((ending as? UpstreamError)?.kind == .timeout, "the stream ended with \(String(describing: ending))")
        #expect(took >= .milliseconds(300) && took < .seconds(4), "took \(took): the deadline, not the hang, ended it")
        #expect(attempts(exchange).map(\.error) == ["timeout"])
        #expect(s.a.cancellations == 1, "the upstream call was cancelled")
    }

    @Test func aStreamThatStartedInItsAttemptsShareMayRunOnToTheRequestsDeadline() async throws {
        // Two targets share the 8 s budget for their first answers (4 s each), but once a stream has
        // started it may use the whole budget: its one word comes after 5 s (a second of slack before it
        // and three after, as CPU-bound tests beside it can hold up the cooperative pool).
        let slow = SimulationProfile(latencyP50: .zero, latencyP99: .zero, tokensPerSecond: 1.0 / 5, outputTokens: 1...1)
        let clock = KeelClock.system
        let health = UpstreamHealth(deployments: [Self.primary, Self.fallback], clock: clock)
        let infer = InferStage(upstreams: ["a": SimulatedUpstream(profile: slow), "b": ScriptedUpstream([])], health: health, clock: clock)
        var request = GatewayRequest(operation: .chat, credential: nil, body: [])
        request.payload = .chat(
            try ChatCompletionRequest(json: JSONParser.parse(#"{"model":"r","stream":true,"messages":[{"role":"user","content":"x"}]}"#))
        )
        request.route = Route(name: "r", targets: [Self.primary, Self.fallback], policy: RoutePolicy(latencyBudget: .seconds(8)))
        let (_, result) = await Pipeline(stages: [infer], clock: clock).handle(request)
        guard case .success(.stream(let stream, _)) = result else { throw Failure("expected a stream, got \(result)") }
        var words = 0
        for try await chunk in stream where !(chunk.contentDelta ?? "").isEmpty { words += 1 }
        #expect(words == 1)
    }

    @Test func aPromptTooLongForATargetGoesToOneWithALargerWindow() async throws {
        var small = Self.primary
        small.contextWindow = 100
        var large = Self.fallback
        large.contextWindow = 1000
        let s = setup([.reply("small", usage: Self.ok)], [.reply("large", usage: Self.ok)], targets: [small, large], before: [FitContextStage()])

        let (shortExchange, short) = await s.send(content: String(repeating: "word ", count: 20))
        guard case .success(.completion(let answer)) = short else { throw Failure("expected success, got \(short)") }
        #expect(answer.content == "small")
        #expect(shortExchange.finish(status: 200)?.promptTokens == 31, "3 to prime the reply, 3 for the message, 100 bytes / 4")

        let (_, long) = await s.send(content: String(repeating: "word ", count: 200))
        guard case .success(.completion(let fallback)) = long else { throw Failure("expected success, got \(long)") }
        #expect(fallback.content == "large")
        #expect(s.a.requests.count == 1, "the small window was never sent the long prompt")

        let (_, reserved) = await s.send(content: String(repeating: "word ", count: 20), extra: #""max_tokens":990,"#)
        guard case .failure(let error) = reserved else { throw Failure("expected a refusal, got \(reserved)") }
        let refusal = KeelError(presenting: error)
        #expect(refusal.code == .contextLengthExceeded && refusal.status == 400 && refusal.param == "messages")
        #expect(s.a.requests.count == 1 && s.b.requests.count == 1, "a refusal costs nothing upstream")
    }

    @Test func breakerTransitionsAreReportedAndRecoveryClosesWithinOneProbeInterval() {
        let clock = ManualClock()
        let seen = Mutex<[CircuitBreaker.Transition]>([])
        var configuration = CircuitBreaker.Configuration()
        configuration.consecutiveFailures = 2
        configuration.openDuration = .seconds(5)
        let breaker = CircuitBreaker(configuration: configuration, clock: clock.keelClock) { transition in seen.withLock { $0.append(transition) } }
        breaker.record(success: false)
        breaker.record(success: false)
        #expect(!breaker.allowsCall())
        // The upstream recovers now; the breaker lets the first probe through once its open time is up.
        clock.advance(by: .seconds(5))
        #expect(breaker.allowsCall())
        breaker.record(success: true)
        #expect(breaker.state == .closed)
        #expect(seen.withLock { $0 } == [.init(from: .closed, to: .open), .init(from: .open, to: .halfOpen), .init(from: .halfOpen, to: .closed)])
    }
}

struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
