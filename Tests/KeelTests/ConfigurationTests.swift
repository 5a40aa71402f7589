import KeelApp
import KeelCore
import KeelProviders
import Testing

@Suite struct ConfigurationTests {
    func problems(_ yaml: String, environment: [String: String] = [:]) -> [ConfigurationProblem] {
        KeelConfiguration.check(yaml: yaml, environment: environment).1
    }

    @Test func theShippedExampleIsValid() throws {
        let configuration = try ExampleConfiguration.load()
        #expect(configuration.routes.map(\.name) == ["gpt-4o-mini", "gpt-4o", "text-embedding-3-small", "triage"])
        let triage = try #require(configuration.routes.last?.evaluation)
        #expect(triage.dataset == "triage-tickets" && triage.scorers == [.jsonSchema(nil), .label(path: "queue")] && triage.gate.count == 2)
        #expect(configuration.providers.first?.simulation.answers.count == 5)
        #expect(configuration.routes.first?.drift?.baseline == .trailing(windows: 24) && configuration.routes.first?.drift?.persistence == 2)
        #expect(configuration.models.first?.price == Price(inputPerMillion: 0.15, outputPerMillion: 0.6, cachedInputPerMillion: 0.075))
        #expect(configuration.providers.first?.simulation.rateLimitRate == 0.01)
        #expect(configuration.alerts.spend == SpendWatch.Policy(dailyThreshold: Money(dollars: 50), jumpFactor: 3, trailingDays: 7))
    }

    @Test func evaluationsAndScriptedAnswersAreCheckedWithTheirPlace() {
        let found = problems(
            """
            routes:
              r:
                model: m
                evaluation: { dataset: d, scorers: [fuzzy], gate: [{ tier: urgent, min_pass_rate: 1 }] }
              s:
                model: m
                evaluation: { gate: [{ category: fraud }] }
                drift: { features: [mood], window: { minutes: 30 } }
            models: { m: { provider: p } }
            providers: { p: { type: simulated, answers: [{ when: "(open", say: "x" }, { say: "no pattern" }] } }
            """
        )
        let paths = Set(found.map(\.path))
        #expect(paths.contains("routes.r.evaluation.scorers.0.type") && paths.contains("routes.s.evaluation.gate.0.min_pass_rate"), "\(found)")
        #expect(paths.contains("providers.p.answers.0.when") && paths.contains("providers.p.answers.1.when"), "\(found)")
        #expect(paths.contains("routes.s.drift.features.0"), "\(found)")
    }

    @Test func alertsAreCheckedLikeEverythingElse() {
        let found = problems(
            """
            routes: { r: m }
            models: { m: { provider: p } }
            providers: { p: { type: simulated } }
            alerts: { webhook_url: "hooks.example.com", daily_jump_factor: 0.5, daily_spend: 10 }
            """
        )
        #expect(Set(found.map(\.path)) == ["alerts.webhook_url", "alerts.daily_jump_factor", "alerts.daily_spend"], "\(found)")
        #expect(found.first { $0.path == "alerts.daily_spend" }?.fix?.contains("daily_spend_usd") == true, "did you mean")
    }

    @Test func reviewPoliciesAreCheckedWithTheirPlace() {
        let found = problems(
            """
            models: { m: { provider: p } }
            providers: { p: { type: simulated } }
            routes:
              plain: { model: m, review: { wait_seconds: 5 } }
              bad: { model: m, risk: { high: ['x > 1'] }, review: { wait_seconds: -1, callback_url: 'ftp://x', later: 1 } }
              ask: { model: m, risk: { medium: ['x > 1'] }, review: { validate: { agree: { route: nowhere } } } }
              held: { model: m, risk: { medium: ['x > 1'] }, review: { validate: { agree: { route: ask } } } }
            """
        )
        let paths = Set(found.map(\.path))
        #expect(paths.contains("routes.plain.review"), "a review without a risk policy: \(found)")
        #expect(paths.contains("routes.bad.review.wait_seconds") || paths.contains("routes.bad.review.later"), "\(found)")
        #expect(paths.contains("routes.ask.review.validate.agree.route") && paths.contains("routes.held.review.validate.agree.route"), "\(found)")
        #expect(found.contains { $0.message.contains("without a risk policy of its own") })
    }

    @Test func observabilitySettingsAreReadAndChecked() throws {
        let base = "routes: { r: m }\nmodels: { m: { provider: p } }\nproviders: { p: { type: simulated } }\n"
        let (configuration, found) = KeelConfiguration.check(
            yaml: base
                + "tracing: { endpoint: \"http://collector:4318\", protocol: http/json, content: true, sample_ratio: 0.25 }\nmetrics: { enabled: false }\n"
                + "workflows: { abandon_after_minutes: 30 }",
            environment: [:]
        )
        #expect(found.isEmpty, "\(found)")
        let tracing = try #require(configuration?.tracing)
        #expect(tracing.endpoint == "http://collector:4318" && tracing.wireProtocol == .json && tracing.content && tracing.sampleRatio == 0.25)
        #expect(configuration?.metricsEnabled == false && configuration?.workflowIdleTime == .seconds(1800))
        let wrong = problems(base + "tracing: { endpoint: collector, protocol: grpc, content: sometimes, sample_ratio: 2 }")
        #expect(Set(wrong.map(\.path)) == ["tracing.endpoint", "tracing.protocol", "tracing.content", "tracing.sample_ratio"], "\(wrong)")
    }

    @Test func everyProblemIsReportedWithItsLineAndAFix() {
        let yaml = """
            server:
              prot: 8080
            providers:
              up:
                type: openai
                api_key_env: MISSING_KEY
              sim:
                type: simulated
                faults: { rate_limit: 2 }
            models:
              fast:
                provider: upp
                price: { input: "cheap" }
              slow:
                provider: sim
                context_window: -1
            routes:
              gpt-x: fastt
            """
        let found = problems(yaml)
        func problem(_ path: String) -> ConfigurationProblem? { found.first { $0.path == path } }

        #expect(problem("server.prot")?.line == 2)
        #expect(problem("server.prot")?.fix == "did you mean 'port'?")
        #expect(problem("providers.up.api_key_env")?.message.contains("MISSING_KEY") == true)
        #expect(problem("providers.sim.faults.rate_limit")?.message.contains("out of range") == true)
        #expect(problem("models.fast.provider")?.fix == "did you mean 'up'?")
        #expect(problem("models.fast.provider")?.line == 12)
        #expect(problem("models.slow.context_window") != nil)
        #expect(problem("routes.gpt-x.model")?.message.contains("no model is named 'fastt'") == true)
        #expect(found.allSatisfy { $0.severity == .error && $0.line != nil })
        #expect(found.count == 6, "\(found.map(\.description))")
    }

    @Test func secretsComeOnlyFromTheEnvironment() {
        let yaml = """
            providers: { up: { type: openai, api_key_env: UP_KEY } }
            models: { m: { provider: up } }
            routes: { r: m }
            keys: { ci: { role: admin, secret_env: CI_KEY } }
            """
        let (configuration, found) = KeelConfiguration.check(
            yaml: yaml,
            environment: ["UP_KEY": "sk-provider", "CI_KEY": "sk-keel-ci-0123456789abcdef"]
        )
        #expect(found.isEmpty)
        #expect(configuration?.providers.first?.apiKey == "sk-provider")
        #expect(configuration?.keys.first?.role == .admin)
        let short = problems(yaml, environment: ["UP_KEY": "x", "CI_KEY": "short"])
        #expect(short.map(\.path) == ["keys.ci.secret_env"])
    }

    @Test func routesNameTheirFallbacksAndPolicy() throws {
        let configuration = try ExampleConfiguration.load()
        let route = try #require(configuration.routes.first { $0.name == "gpt-4o" })
        #expect(route.targets.map(\.name) == ["sim-large", "sim-mini"])
        #expect(route.policy.latencyBudget == .seconds(20))
        #expect(route.policy.maxAttempts == 3)
        let mixed = problems(
            """
            providers: { sim: { type: simulated } }
            models: { chat: { provider: sim }, embed: { provider: sim, kind: embedding } }
            routes: { r: { model: chat, fallbacks: [embed, nope] } }
            """
        )
        #expect(mixed.map(\.path) == ["routes.r.fallbacks.1"])
        let (retrying, found) = KeelConfiguration.check(
            yaml: """
                providers: { sim: { type: simulated } }
                models: { chat: { provider: sim } }
                routes: { r: { model: chat, retry_on: [timeout, server_eror] } }
                """,
            environment: [:]
        )
        #expect(found.map(\.path) == ["routes.r.retry_on.1"])
        #expect(found.first?.fix?.contains("server_error") == true)
        #expect(retrying?.routes.first?.policy.retryOn == [.timeout])

        let (balanced, none) = KeelConfiguration.check(
            yaml: """
                providers: { sim: { type: simulated } }
                models: { a: { provider: sim }, b: { provider: sim }, c: { provider: sim } }
                routes: { r: { balance: { a: 3, b: 1 }, fallbacks: [c] } }
                """,
            environment: [:]
        )
        #expect(none.isEmpty)
        #expect(balanced?.routes.first?.balanced.map(\.weight) == [3, 1])
        #expect(balanced?.routes.first?.targets.map(\.name) == ["a", "b", "c"])
        let both = """
            providers: { sim: { type: simulated } }
            models: { a: { provider: sim } }
            routes: { r: { model: a, balance: { a: 1 } } }
            """
        #expect(problems(both).map(\.path) == ["routes.r.model"])
        #expect(
            problems(
                "providers: { sim: { type: simulated } }\nmodels: { a: { provider: sim }, e: { provider: sim, kind: embedding } }\nroutes: { r: { model: a, fallbacks: [e] } }"
            ).first?.message.contains("mixes") == true
        )
    }

    /// Each setting is read by its own name: distinct values must each land in their own field.
    @Test func everyBoundLandsInItsOwnField() throws {
        let (read, found) = KeelConfiguration.check(
            yaml: """
                server: { max_body_bytes: 2048, max_connections: 321, idle_timeout_seconds: 7, header_timeout_seconds: 3 }
                limits: { max_messages: 11, max_tools: 12, max_stop: 13, max_embedding_inputs: 14, max_dimensions: 15 }
                log: { bodies: full, max_body_bytes: 4096 }
                providers:
                  up:
                    type: openai
                    base_url: http://127.0.0.1:9/v1
                    connect_timeout_seconds: 1
                    timeout_seconds: 2
                    idle_timeout_seconds: 0.5
                    max_response_bytes: 5000
                    max_line_bytes: 6000
                    max_stream_bytes: 7000
                    max_connections: 8
                models: { m: { provider: up } }
                routes: { r: m }
                """,
            environment: [:]
        )
        #expect(found.isEmpty, "\(found)")
        let configuration = try #require(read)
        #expect(configuration.server.maximumBodySize == 2048 && configuration.server.maximumConnections == 321)
        #expect(configuration.server.idleTimeout == .seconds(7) && configuration.server.headerTimeout == .seconds(3))
        let limits = configuration.limits
        #expect(
            [limits.maximumMessages, limits.maximumTools, limits.maximumStopSequences, limits.maximumEmbeddingInputs, limits.maximumDimensions]
                == [11, 12, 13, 14, 15]
        )
        #expect(configuration.log.bodies == .full && configuration.log.maximumBodyBytes == 4096)
        let upstream = try #require(configuration.providers.first?.limits)
        #expect(upstream.connectTimeout == .seconds(1) && upstream.timeout == .seconds(2) && upstream.idleTimeout == .milliseconds(500))
        #expect(
            [upstream.maximumResponseBytes, upstream.maximumLineBytes, upstream.maximumStreamBytes, upstream.maximumConnections] == [
                5000, 6000, 7000, 8,
            ]
        )
        let misspelt = problems("routes: { r: m }\nmodels: { m: { provider: p } }\nproviders: { p: { type: simulated } }\nlimits: { max_mesages: 3 }")
        #expect(misspelt.map(\.path) == ["limits.max_mesages"] && misspelt.first?.fix?.contains("max_messages") == true, "\(misspelt)")
    }

    @Test func brokenYAMLIsOneClearProblem() {
        let found = problems("server: [unclosed")
        #expect(found.count == 1)
        #expect(found.first?.message.hasPrefix("not valid YAML") == true)
    }

    @Test func aConfigurationWithoutRoutesSaysSo() {
        #expect(problems("server: { port: 1 }").map(\.path) == ["routes"])
    }
}
