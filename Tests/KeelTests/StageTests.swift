import KeelCore
import KeelTesting
import Testing

/// Each stage alone, with the stages it needs before it and a scripted upstream after it.
@Suite struct StageTests {
    static let deployment = ModelDeployment(
        name: "fast",
        provider: "scripted",
        upstreamModel: "up-fast",
        contextWindow: 8192,
        price: Price(inputPerMillion: 1, outputPerMillion: 2)
    )
    static let embedder = ModelDeployment(name: "embed", provider: "scripted", upstreamModel: "up-embed", kind: .embedding)
    /// One attempt per request: these tests are about the stages; retries are `ExecutionTests`'.
    static let routes = RouteTable([
        Route(name: "public-fast", targets: [deployment], policy: RoutePolicy(maxAttempts: 1)),
        Route(name: "public-embed", targets: [embedder], policy: RoutePolicy(maxAttempts: 1)),
    ])
    static let chatBody = Array(#"{"model":"public-fast","messages":[{"role":"user","content":"hi"}]}"#.utf8)

    static let configuration = """
        providers: { scripted: { type: simulated } }
        models:
          fast: { provider: scripted, upstream_model: up-fast, context_window: 8192, price: { input: 1, output: 2 } }
          embed: { provider: scripted, upstream_model: up-embed, kind: embedding }
        routes:
          public-fast: { model: fast, max_attempts: 1 }
          public-embed: { model: embed, max_attempts: 1 }
        """

    /// The gateway's pipeline over `upstream`, with a fresh key.
    func withPipeline(
        _ upstream: ScriptedUpstream,
        observer: RecordingObserver = RecordingObserver(),
        _ body: (Pipeline, String) async throws -> Void
    ) async throws {
        try await TestPipeline.with(Self.configuration, upstreams: ["scripted": upstream], observers: [observer]) { test in
            try await body(test.pipeline, test.secret)
        }
    }

    func error(of result: Result<GatewayResponse, any Error>) -> KeelError? {
        guard case .failure(let error) = result else { return nil }
        return KeelError(presenting: error)
    }

    @Test func authenticateRefusesMissingAndWrongKeysAndCachesGoodOnes() async throws {
        let keys = InMemoryAPIKeyStore()
        let secret = try await keys.issue()
        let authenticator = KeyAuthenticator(store: keys)
        await #expect { try await authenticator.authenticate(nil, requiring: .callModels) } throws: { ($0 as? KeelError)?.code == .missingAPIKey }
        await #expect { try await authenticator.authenticate("sk-keel-wrong-key-000000", requiring: .callModels) } throws: {
            guard let error = $0 as? KeelError else { return false }
            return error.code == .invalidAPIKey && error.status == 401 && !error.message.contains("wrong-key-000")
        }
        _ = try await authenticator.authenticate(secret, requiring: .callModels)
        let lookups = keys.lookupCount
        _ = try await authenticator.authenticate(secret, requiring: .callModels)
        #expect(keys.lookupCount == lookups, "a known key must not touch the store again")
        await #expect { try await authenticator.authenticate(secret, requiring: .administer) } throws: { ($0 as? KeelError)?.status == 403 }
    }

    @Test func validateTurnsBrokenJSONIntoA400AndNeverCallsTheUpstream() async throws {
        let upstream = ScriptedUpstream([])
        try await withPipeline(upstream) { pipeline, secret in
            let (_, result) = await pipeline.handle(GatewayRequest(operation: .chat, credential: secret, body: Array(#"{"model": "#.utf8)))
            #expect(error(of: result)?.code == .invalidJSON)
            #expect(upstream.requests.isEmpty)
        }
    }

    @Test func routeRefusesUnknownModelsAndTheWrongOperation() async throws {
        try await withPipeline(ScriptedUpstream([])) { pipeline, secret in
            let unknown = Array(#"{"model":"gpt-9","messages":[{"role":"user","content":"hi"}]}"#.utf8)
            let (_, notFound) = await pipeline.handle(GatewayRequest(operation: .chat, credential: secret, body: unknown))
            #expect(error(of: notFound)?.code == .modelNotFound)
            #expect(error(of: notFound)?.status == 404)
            let wrongKind = Array(#"{"model":"public-embed","messages":[{"role":"user","content":"hi"}]}"#.utf8)
            let (_, unsupported) = await pipeline.handle(GatewayRequest(operation: .chat, credential: secret, body: wrongKind))
            #expect(error(of: unsupported)?.code == .unsupportedOperation)
        }
    }

    @Test func inferSendsTheUpstreamModelAndAccountingPricesTheUsage() async throws {
        let upstream = ScriptedUpstream([.reply("hello", usage: TokenUsage(inputTokens: 1000, outputTokens: 500))])
        let observer = RecordingObserver()
        try await withPipeline(upstream, observer: observer) { pipeline, secret in
            let (exchange, result) = await pipeline.handle(GatewayRequest(operation: .chat, credential: secret, body: Self.chatBody))
            guard case .success(.completion(let completion)) = result else {
                Issue.record("expected a completion, got \(result)")
                return
            }
            #expect(completion.content == "hello")
            #expect(upstream.requests.first?["model"] == "up-fast")
            let record = try #require(observer.records.first)
            #expect(record.id == exchange.id)
            #expect(record.route == "public-fast" && record.model == "fast" && record.provider == "scripted")
            #expect(record.inputTokens == 1000 && record.outputTokens == 500)
            #expect(record.cost == Money(dollars: 0.002))
            #expect(record.attempts.count == 1 && record.attempts[0].error == nil)
            #expect(record.status == 200)
        }
    }

    @Test func upstreamFailuresAreRecordedAsFailedAttempts() async throws {
        let upstream = ScriptedUpstream([.fail(UpstreamError(.rateLimited, "slow down", status: 429, retryAfter: 7))])
        let observer = RecordingObserver()
        try await withPipeline(upstream, observer: observer) { pipeline, secret in
            let (_, result) = await pipeline.handle(GatewayRequest(operation: .chat, credential: secret, body: Self.chatBody))
            let failure = try #require(error(of: result))
            #expect(failure.status == 429 && failure.retryAfter == 7)
            let record = try #require(observer.records.first)
            #expect(record.status == 429 && record.errorCode == "upstream_rate_limited")
            #expect(record.attempts.map(\.error) == ["rate_limited"])
            #expect(record.attempts.first?.upstreamStatus == 429)
        }
    }

    @Test func streamsAreRecordedWhenTheyEndWithTheirUsage() async throws {
        let usage = TokenUsage(inputTokens: 10, outputTokens: 3)
        let observer = RecordingObserver()
        try await withPipeline(ScriptedUpstream([.stream(["a", "b", "c"], usage: usage)]), observer: observer) { pipeline, secret in
            let body = Array(#"{"model":"public-fast","stream":true,"messages":[{"role":"user","content":"hi"}]}"#.utf8)
            let (_, result) = await pipeline.handle(GatewayRequest(operation: .chat, credential: secret, body: body))
            guard case .success(.stream(let stream, let includeUsage)) = result else {
                Issue.record("expected a stream")
                return
            }
            #expect(!includeUsage)
            #expect(observer.records.isEmpty, "a stream is recorded when it ends, not when it starts")
            var text = ""
            for try await chunk in stream { text += chunk.contentDelta ?? "" }
            #expect(text == "abc")
            let record = try #require(observer.records.first)
            #expect(record.stream && record.status == 200 && record.errorCode == nil)
            #expect(record.outputTokens == 3 && record.cost != nil)
            #expect(record.timeToFirstTokenMs != nil)
        }
    }

    @Test func aCutStreamIsRecordedAsInterrupted() async throws {
        let cut = UpstreamError(.streamInterrupted, "cut")
        let observer = RecordingObserver()
        try await withPipeline(ScriptedUpstream([.stream(["a"], usage: nil, failure: cut)]), observer: observer) { pipeline, secret in
            let body = Array(#"{"model":"public-fast","stream":true,"messages":[{"role":"user","content":"hi"}]}"#.utf8)
            let (_, result) = await pipeline.handle(GatewayRequest(operation: .chat, credential: secret, body: body))
            guard case .success(.stream(let stream, _)) = result else {
                Issue.record("expected a stream")
                return
            }
            await #expect(throws: UpstreamError.self) { for try await _ in stream {} }
            let record = try #require(observer.records.first)
            #expect(record.errorCode == "stream_interrupted")
            #expect(record.attempts.first?.error == "stream_interrupted")
        }
    }

    @Test func anAbandonedStreamIsRecordedAsClosedByTheClient() async throws {
        let observer = RecordingObserver()
        try await withPipeline(ScriptedUpstream([.stream(["a", "b"], usage: nil)]), observer: observer) { pipeline, secret in
            let body = Array(#"{"model":"public-fast","stream":true,"messages":[{"role":"user","content":"hi"}]}"#.utf8)
            do {
                let (_, result) = await pipeline.handle(GatewayRequest(operation: .chat, credential: secret, body: body))
                guard case .success(.stream(let stream, _)) = result else { return }
                var iterator = stream.makeAsyncIterator()
                _ = try await iterator.next()
            }
            let record = try #require(observer.records.first)
            #expect(record.status == 499 && record.errorCode == "client_closed_request")
        }
    }

    @Test func embeddingsWalkTheSamePath() async throws {
        let observer = RecordingObserver()
        try await withPipeline(ScriptedUpstream([.embed(vectors: [[1, 0]], tokens: 4)]), observer: observer) { pipeline, secret in
            let body = Array(#"{"model":"public-embed","input":"hello"}"#.utf8)
            let (_, result) = await pipeline.handle(GatewayRequest(operation: .embeddings, credential: secret, body: body))
            guard case .success(.embeddings(let response)) = result else {
                Issue.record("expected embeddings")
                return
            }
            #expect(response.usage?.inputTokens == 4)
            #expect(observer.records.first?.operation == "embeddings")
        }
    }

    @Test func theLedgerMeasuresWithTheInjectedClock() async throws {
        let clock = ManualClock()
        let exchange = Exchange(operation: .chat, clock: clock.keelClock)
        let started = exchange.startAttempt(to: Self.deployment)
        clock.advance(by: .milliseconds(250))
        exchange.finishAttempt(to: Self.deployment, started: started, failure: nil)
        clock.advance(by: .milliseconds(50))
        let record = try #require(exchange.finish(status: 200))
        #expect(record.durationMs == 300)
        #expect(record.upstreamMs == 250)
        #expect(exchange.finish(status: 500) == nil, "a ledger closes once")
    }
}
