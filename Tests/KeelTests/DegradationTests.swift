import KeelCore
import KeelTesting
import Testing

/// A route's last resort: the cached answer to an identical request, or its static answer, always labelled.
@Suite struct DegradationTests {
    static let down = ScriptedUpstream.Step.fail(UpstreamError(.unavailable, "down", status: 503))
    static let ok = TokenUsage(inputTokens: 3, outputTokens: 2)

    func setup(_ steps: [ScriptedUpstream.Step], _ degradation: DegradationPolicy, clock: ManualClock = ManualClock()) -> ExecutionTests.Setup {
        ExecutionTests().setup(
            steps,
            policy: RoutePolicy(maxAttempts: 1, degradation: degradation),
            targets: [ExecutionTests.primary],
            clock: clock,
            before: [DegradeStage(cache: ResponseCache(clock: clock.keelClock), clock: clock.keelClock)]
        )
    }

    @Test func anIdenticalRequestGetsTheCachedAnswerWhenTheUpstreamFailsAndItIsLabelled() async throws {
        let clock = ManualClock()
        let s = setup([.reply("fresh", usage: Self.ok), Self.down, Self.down, Self.down], DegradationPolicy(cacheTTL: .seconds(60)), clock: clock)
        let (first, fresh) = await s.send()
        guard case .success(.completion(let answer)) = fresh else { throw Failure("expected success, got \(fresh)") }
        #expect(answer.content == "fresh" && first.degradation == nil)

        let (second, cached) = await s.send()
        guard case .success(.completion(let again)) = cached else { throw Failure("expected the cached answer, got \(cached)") }
        #expect(again.content == "fresh")
        #expect(second.degradation?.headerValue == "cache; cause=upstream_unavailable")
        let record = try #require(second.finish(status: 200))
        #expect(record.degraded == "cache" && record.errorCode == "upstream_unavailable", "the log keeps what happened")

        let (_, streamed) = await s.send(stream: true)
        guard case .success(.stream(let stream, _)) = streamed else { throw Failure("expected a replayed stream, got \(streamed)") }
        var text = ""
        for try await chunk in stream { text += chunk.contentDelta ?? "" }
        #expect(text == "fresh", "the same question asked streaming gets the same answer")

        clock.advance(by: .seconds(61))
        let (_, expired) = await s.send()
        guard case .failure(let error) = expired else { throw Failure("expected the failure once the answer expired") }
        #expect(KeelError(presenting: error).status == 503)
    }

    @Test func aDifferentRequestIsNotServedAnotherOnesAnswer() async throws {
        let s = setup([.reply("fresh", usage: Self.ok), Self.down], DegradationPolicy(cacheTTL: .seconds(60)))
        _ = await s.send(content: "one question")
        let (_, other) = await s.send(content: "another question")
        guard case .failure = other else { throw Failure("expected the failure, got \(other)") }
    }

    @Test func aFinishedStreamFillsTheCache() async throws {
        let s = setup([.stream(["streamed", " answer"], usage: Self.ok), Self.down], DegradationPolicy(cacheTTL: .seconds(60)))
        let (_, first) = await s.send(stream: true)
        guard case .success(.stream(let stream, _)) = first else { throw Failure("expected a stream") }
        for try await _ in stream {}
        let (exchange, cached) = await s.send()
        guard case .success(.completion(let answer)) = cached else { throw Failure("expected the cached answer, got \(cached)") }
        #expect(answer.content == "streamed answer" && exchange.degradation?.mode == .cache)
    }

    @Test func theStaticAnswerIsTheLastResortButNeverCoversTheClientsOwnMistake() async throws {
        let s = setup(
            [Self.down, .fail(UpstreamError(.rejected, "bad schema", status: 400))],
            DegradationPolicy(staticAnswer: "We are busy; try again soon.")
        )
        let (exchange, degraded) = await s.send()
        guard case .success(.completion(let answer)) = degraded else { throw Failure("expected the static answer, got \(degraded)") }
        #expect(answer.content == "We are busy; try again soon." && answer.model == "r")
        #expect(exchange.degradation?.headerValue == "static; cause=upstream_unavailable")

        let (_, rejected) = await s.send()
        guard case .failure(let error) = rejected else { throw Failure("expected the 400, got \(rejected)") }
        #expect(KeelError(presenting: error).status == 400)
    }
}
