import Foundation
import KeelCore
import KeelProviders
import KeelStore
import KeelTokenizer
import Logging
import Yams

extension KeelConfiguration {
    /// Loads `keel.yaml`; throws a ``ConfigurationError`` listing every error found.
    public static func load(file: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> KeelConfiguration {
        let text = try ConfigurationError.text(of: file)
        let (configuration, problems) = check(yaml: text, environment: environment)
        guard let configuration, !problems.contains(where: { $0.severity == .error }) else {
            throw ConfigurationError(file: file, problems: problems)
        }
        return configuration
    }

    /// Reads a configuration and reports every problem: unknown keys, wrong types, values out of
    /// range, names that refer to nothing, secrets missing from the environment.
    public static func check(yaml: String, environment: [String: String]) -> (KeelConfiguration?, [ConfigurationProblem]) {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            return (nil, [ConfigurationProblem(severity: .error, path: "", message: "not valid YAML: \(error)", fix: nil)])
        }
        let reader = YAMLReader()
        var configuration = read(root, environment: environment, reader)
        configuration.sourceHash = Digest.sha256Hex(yaml)
        return (configuration, reader.problems)
    }

    /// Reads the configuration in `root`, reporting its problems to `reader`.
    static func read(_ root: Node?, environment: [String: String], _ reader: YAMLReader) -> KeelConfiguration {
        var configuration = KeelConfiguration()
        reader.section(root, "") { section in
            configuration.readServer(&section)
            configuration.readLimits(&section)
            configuration.readStorage(&section, environment: environment)
            if let seconds = section.section("replicas", { $0.seconds("lease_seconds", in: 1...3600) }) {
                configuration.replicas.leaseDuration = seconds
            }
            configuration.readLog(&section)
            configuration.readProviders(section.node("providers"), environment: environment, reader)
            configuration.readModels(section.node("models"), reader)
            configuration.readRoutes(section.node("routes"), reader)
            configuration.readCircuitBreaker(&section)
            configuration.readBudgets(section.node("budgets"), reader)
            configuration.readRateLimits(&section)
            configuration.readKeys(section.node("keys"), environment: environment, reader)
            configuration.readAlerts(&section)
            configuration.readAudit(&section, environment: environment)
            section.section("retention") { retention in
                configuration.retention.periods = Self.readRetention(&retention, classes: DataClass.allCases)
                if let minutes = retention.number("interval_minutes", in: 1...10_080) {
                    configuration.retention.interval = .milliseconds(Int64(minutes * 60_000))
                }
            }
            configuration.readTracing(&section)
            section.section("metrics") { metrics in
                configuration.metricsEnabled = metrics.bool("enabled") ?? true
                configuration.metricsOpen = metrics.bool("open") ?? false
            }
            section.section("idempotency") { idempotency in
                if let hours = idempotency.number("ttl_hours", in: 0.01...8760) {
                    configuration.idempotencyLifetime = .milliseconds(Int64(hours * 3_600_000))
                }
                configuration.idempotencyWait = idempotency.seconds("wait_seconds", in: 0...3600) ?? configuration.idempotencyWait
            }
            if let minutes = section.section("workflows", { $0.number("abandon_after_minutes", in: 1...525_600) }) {
                configuration.workflowIdleTime = .milliseconds(Int64(minutes * 60_000))
            }
        }
        if configuration.routes.isEmpty, reader.problems.isEmpty {
            reader.report(root, "routes", "no routes are configured, so clients can call no model.", fix: "add a route under 'routes:'.")
        }
        return configuration
    }

    /// `storage: { path: FILE }` (SQLite), or `storage: { driver: postgres, url_env: VARIABLE, pool_size: 20 }`.
    private mutating func readStorage(_ root: inout YAMLSection, environment: [String: String]) {
        root.section("storage") { section in
            let driver = section.string("driver") ?? "sqlite"
            switch driver {
            case "sqlite":
                storage = .sqlite(path: section.string("path") ?? ".keel/keel.sqlite")
                for postgresOnly in ["url_env", "pool_size"] where section.node(postgresOnly) != nil {
                    section.report(postgresOnly, "only the postgres driver takes this setting.", fix: "remove it, or write 'driver: postgres'.")
                }
            case "postgres":
                let poolSize = section.integer("pool_size", in: 1...1000) ?? StorageConfiguration.defaultPoolSize
                if section.node("path") != nil {
                    section.report("path", "PostgreSQL has no file.", fix: "remove 'path', or use the sqlite driver.")
                }
                guard let variable = section.string("url_env") else {
                    if section.node("url_env") == nil {
                        section.report(
                            "url_env",
                            "missing the environment variable that holds the database URL.",
                            fix: "add 'url_env: KEEL_DATABASE_URL'; the URL holds a password, so it never goes in this file."
                        )
                    }
                    return
                }
                guard let url = environment[variable], !url.isEmpty else {
                    section.report(
                        "url_env",
                        "the environment variable \(variable) is not set.",
                        fix: "export \(variable)=postgres://user:password@host:5432/keel before starting Keel."
                    )
                    return
                }
                storage = .postgres(url: url, poolSize: poolSize)
            default:
                section.report("driver", "'\(driver)' is not a storage driver.", fix: "use one of: sqlite, postgres.")
            }
        }
    }

    /// `server: { host, port, max_body_bytes, max_connections, idle_timeout_seconds, header_timeout_seconds }`
    private mutating func readServer(_ root: inout YAMLSection) {
        root.section("server") { section in
            server.host = section.string("host") ?? server.host
            server.port = section.integer("port", in: 0...65535) ?? server.port
            server.maximumBodySize = section.integer("max_body_bytes", in: 1024...(1 << 30)) ?? server.maximumBodySize
            server.maximumConnections = section.integer("max_connections", in: 1...10_000_000)
            server.idleTimeout = section.seconds("idle_timeout_seconds", in: 0.1...86_400) ?? server.idleTimeout
            server.headerTimeout = section.seconds("header_timeout_seconds", in: 0.1...3600) ?? server.headerTimeout
        }
    }

    /// `limits: { max_messages, max_tools, max_stop, max_embedding_inputs, max_dimensions }`
    private mutating func readLimits(_ root: inout YAMLSection) {
        root.section("limits") { section in
            limits.maximumMessages = section.integer("max_messages", in: 1...10_000_000) ?? limits.maximumMessages
            limits.maximumTools = section.integer("max_tools", in: 0...100_000) ?? limits.maximumTools
            limits.maximumStopSequences = section.integer("max_stop", in: 0...1000) ?? limits.maximumStopSequences
            limits.maximumEmbeddingInputs = section.integer("max_embedding_inputs", in: 1...10_000_000) ?? limits.maximumEmbeddingInputs
            limits.maximumDimensions = section.integer("max_dimensions", in: 1...1_000_000) ?? limits.maximumDimensions
        }
    }

    /// `log: { bodies: none|full, max_body_bytes, level }`
    private mutating func readLog(_ root: inout YAMLSection) {
        root.section("log") { section in
            log.bodies = section.choice("bodies", as: RecordStage.BodyCapture.self) ?? log.bodies
            log.maximumBodyBytes = section.integer("max_body_bytes", in: 0...(1 << 30)) ?? log.maximumBodyBytes
            log.level = section.choice("level", as: Logger.Level.self) ?? log.level
        }
    }

    private mutating func readProviders(_ node: Node?, environment: [String: String], _ reader: YAMLReader) {
        for (name, value) in reader.entries(node, "providers") {
            reader.section(value, "providers.\(name)") { section in
                guard section.node("type") != nil else {
                    section.report("type", "missing the provider type.", fix: "add 'type: openai', 'type: anthropic' or 'type: simulated'.")
                    return section.abandon()
                }
                guard let kind = section.choice("type", as: Provider.Kind.self) else { return section.abandon() }
                var provider = Provider(name: name, kind: kind)
                provider.baseURL = section.string("base_url")
                provider.limits = Self.readUpstreamLimits(&section)
                if let variable = section.string("api_key_env") {
                    if let secret = environment[variable], !secret.isEmpty {
                        provider.apiKey = secret
                    } else {
                        section.report(
                            "api_key_env",
                            "the environment variable \(variable) is not set.",
                            fix: "export \(variable)=… before starting Keel, or remove api_key_env for a server that needs no key."
                        )
                    }
                }
                switch kind {
                case .openai, .anthropic:
                    if provider.baseURL == nil {
                        provider.baseURL = kind == .openai ? "https://api.openai.com/v1" : "https://api.anthropic.com/v1"
                    }
                    for simulatorOnly in Self.simulatorSettings where section.node(simulatorOnly) != nil {
                        section.report(simulatorOnly, "only simulated providers take this setting.", fix: "remove it.")
                    }
                case .simulated:
                    var base = SimulationProfile()
                    if let seed = section.integer("seed", in: 0...Int.max) { base.seed = UInt64(seed) }
                    base.contextWindow = section.integer("context_window", in: 16...10_000_000)
                    provider.simulation = Self.readSimulation(&section, base: base)
                }
                providers.append(provider)
            }
        }
    }

    /// A provider's bounds: `connect_timeout_seconds`, `timeout_seconds`, `idle_timeout_seconds`,
    /// `max_response_bytes`, `max_line_bytes`, `max_stream_bytes`, `max_connections`.
    static func readUpstreamLimits(_ section: inout YAMLSection) -> UpstreamLimits {
        var limits = UpstreamLimits()
        limits.connectTimeout = section.seconds("connect_timeout_seconds", in: 0.001...600) ?? limits.connectTimeout
        limits.timeout = section.seconds("timeout_seconds", in: 0.001...86_400) ?? limits.timeout
        limits.idleTimeout = section.seconds("idle_timeout_seconds", in: 0.001...86_400) ?? limits.idleTimeout
        limits.maximumResponseBytes = section.integer("max_response_bytes", in: 1024...(1 << 34)) ?? limits.maximumResponseBytes
        limits.maximumLineBytes = section.integer("max_line_bytes", in: 1024...(1 << 30)) ?? limits.maximumLineBytes
        limits.maximumStreamBytes = section.integer("max_stream_bytes", in: 1024...(1 << 40)) ?? limits.maximumStreamBytes
        limits.maximumConnections = section.integer("max_connections", in: 1...100_000) ?? limits.maximumConnections
        return limits
    }

    /// The settings only simulated providers take.
    static let simulatorSettings = ["seed", "context_window", "latency", "tokens_per_second", "output_tokens", "faults", "answers"]

    /// A simulated provider's behaviour: `base` with the section's `latency`, `tokens_per_second`,
    /// `output_tokens` and `faults` applied (what a rehearsal's phase may change too).
    static func readSimulation(_ section: inout YAMLSection, base: SimulationProfile) -> SimulationProfile {
        var profile = base
        section.section("latency") { latency in
            for key in ["p50_ms", "p99_ms"] {
                guard let milliseconds = latency.number(key, in: 0...600_000) else { continue }
                let duration = Duration.microseconds(Int64(milliseconds * 1000))
                if key == "p50_ms" { profile.latencyP50 = duration } else { profile.latencyP99 = duration }
            }
        }
        if profile.latencyP99 < profile.latencyP50 {
            section.report("latency", "p99_ms is below p50_ms.", fix: "make p99_ms at least p50_ms.")
        }
        if section.node("tokens_per_second") != nil {
            let value = section.number("tokens_per_second", in: 0...1_000_000)
            profile.tokensPerSecond = value == 0 ? nil : value
        }
        section.section("output_tokens") { tokens in
            let low = tokens.integer("min", in: 0...100_000) ?? profile.outputTokens.lowerBound
            let high = tokens.integer("max", in: 0...100_000) ?? max(low, profile.outputTokens.upperBound)
            if low <= high {
                profile.outputTokens = low...high
            } else {
                tokens.reader.report(tokens.node, tokens.path, "min is above max.", fix: "make max at least min.")
            }
        }
        section.section("faults") { faults in
            profile.rateLimitRate = faults.number("rate_limit", in: 0...1) ?? profile.rateLimitRate
            profile.serverErrorRate = faults.number("server_error", in: 0...1) ?? profile.serverErrorRate
            profile.unavailableRate = faults.number("unavailable", in: 0...1) ?? profile.unavailableRate
            profile.timeoutRate = faults.number("timeout", in: 0...1) ?? profile.timeoutRate
            profile.streamCutRate = faults.number("stream_cut", in: 0...1) ?? profile.streamCutRate
            profile.retryAfterSeconds = faults.integer("retry_after_seconds", in: 0...3600) ?? profile.retryAfterSeconds
            profile.hangTime = faults.seconds("hang_seconds", in: 0...3600) ?? profile.hangTime
            let total = profile.rateLimitRate + profile.serverErrorRate + profile.unavailableRate + profile.timeoutRate + profile.streamCutRate
            if total > 1 {
                faults.reader.report(faults.node, faults.path, "the fault rates add up to more than 1.", fix: "lower them so they sum to 1 or less.")
            }
        }
        let answers = section.node("answers")
        if answers != nil { profile.answers = [] }
        for (path, item) in section.reader.items(answers, section.path("answers"), fix: "write '- { when: REGEX, say: TEXT }' a line.") {
            section.reader.section(item, path) { answer in
                guard let pattern = answer.string("when"), let text = answer.string("say") else {
                    answer.report("when", "an answer needs 'when' (a regular expression) and 'say' (its text).")
                    return answer.abandon()
                }
                guard (try? Regex(pattern)) != nil else { return answer.report("when", "'\(pattern)' is not a regular expression.") }
                profile.answers.append(SimulationProfile.ScriptedAnswer(pattern: pattern, text: text))
            }
        }
        return profile
    }

    private mutating func readModels(_ node: Node?, _ reader: YAMLReader) {
        let providerNames = providers.map(\.name)
        for (name, value) in reader.entries(node, "models") {
            reader.section(value, "models.\(name)") { section in
                guard let providerName = section.string("provider") else {
                    if section.node("provider") == nil {
                        section.report(
                            "provider",
                            "missing the provider that serves this model.",
                            fix: "add 'provider: NAME' naming one of: \(providerNames.joined(separator: ", "))."
                        )
                    }
                    return section.abandon()
                }
                guard let provider = providers.first(where: { $0.name == providerName }) else {
                    let suggestion = YAMLReader.closest(to: providerName, in: providerNames).map { "did you mean '\($0)'?" }
                    section.report(
                        "provider",
                        "no provider is named '\(providerName)'.",
                        fix: suggestion ?? "use one of: \(providerNames.joined(separator: ", "))."
                    )
                    return section.abandon()
                }
                var deployment = ModelDeployment(name: name, provider: providerName, upstreamModel: section.string("upstream_model") ?? name)
                deployment.kind = section.choice("kind", as: ModelDeployment.Kind.self) ?? .chat
                if deployment.kind == .embedding, provider.kind == .anthropic {
                    section.report("kind", "Anthropic serves no embeddings.", fix: "serve embeddings from an openai or simulated provider.")
                }
                deployment.contextWindow = section.integer("context_window", in: 1...100_000_000)
                deployment.tokenizer = section.choice("tokenizer", as: Tokenizer.Encoding.self)?.rawValue
                deployment.price = section.section("price") { price in
                    Price(
                        inputPerMillion: price.number("input", in: 0...100_000) ?? 0,
                        outputPerMillion: price.number("output", in: 0...100_000) ?? 0,
                        cachedInputPerMillion: price.number("cached_input", in: 0...100_000)
                    )
                }
                models.append(deployment)
            }
        }
    }

    private mutating func readRoutes(_ node: Node?, _ reader: YAMLReader) {
        for (name, value) in reader.entries(node, "routes") {
            let path = "routes.\(name)"
            if case .scalar = value {
                if let deployment = deployment(named: reader.string(value, path), at: value, "\(path).model", reader) {
                    routes.append(Route(name: name, balanced: [Route.Share(deployment)], fallbacks: [], policy: RoutePolicy()))
                }
                continue
            }
            reader.section(value, path) { section in
                if let route = readRoute(name, &section) { routes.append(route) }
            }
        }
        // A second opinion is another route's answer, one that is itself never held.
        for route in routes {
            guard let agree = route.review?.agreement?.route else { continue }
            let place = "routes.\(route.name).review.validate.agree.route"
            guard let other = routes.first(where: { $0.name == agree }) else {
                reader.report(node, place, "names the route '\(agree)', which is not configured.")
                continue
            }
            if other.risk != nil || other.kind != .chat {
                reader.report(node, place, "names '\(agree)', which must be a chat route without a risk policy of its own.")
            }
        }
    }

    /// A route written as a mapping: `model` or `balance`, and its policy.
    private func readRoute(_ name: String, _ section: inout YAMLSection) -> Route? {
        let reader = section.reader
        let modelNode = section.node("model")
        let balanceNode = section.node("balance")
        guard (modelNode == nil) != (balanceNode == nil) else {
            reader.report(
                section.node,
                section.path("model"),
                "needs either 'model' or 'balance', and not both.",
                fix: "write 'model: NAME', or 'balance: { NAME: WEIGHT, … }' to spread the load."
            )
            section.abandon()
            return nil
        }
        var resolved = true
        var balanced: [Route.Share] = []
        if let modelNode {
            if let deployment = deployment(named: reader.string(modelNode, section.path("model")), at: modelNode, section.path("model"), reader) {
                balanced.append(Route.Share(deployment))
            } else {
                resolved = false
            }
        }
        for (modelName, weightNode) in reader.entries(balanceNode, section.path("balance")) {
            let sharePath = "\(section.path("balance")).\(modelName)"
            let weight = reader.number(weightNode, sharePath, in: 0.001...1_000_000)
            guard let deployment = deployment(named: modelName, at: weightNode, sharePath, reader), let weight else {
                resolved = false
                continue
            }
            balanced.append(Route.Share(deployment, weight: weight))
        }
        var fallbacks: [ModelDeployment] = []
        for (path, node) in reader.items(section.node("fallbacks"), section.path("fallbacks"), fix: "write 'fallbacks: [model-a, model-b]'.") {
            if let deployment = deployment(named: reader.string(node, path), at: node, path, reader) {
                fallbacks.append(deployment)
            } else {
                resolved = false
            }
        }
        var policy = RoutePolicy()
        if let milliseconds = section.integer("latency_budget_ms", in: 1...3_600_000) {
            policy.latencyBudget = .milliseconds(milliseconds)
        }
        policy.maxAttempts = section.integer("max_attempts", in: 1...20) ?? policy.maxAttempts
        if let retryOn = section.node("retry_on") {
            let kinds = reader.items(retryOn, section.path("retry_on"), fix: "write e.g. 'retry_on: [rate_limited, server_error]'.")
            policy.retryOn = Set(kinds.compactMap { reader.choice($0.node, $0.path, as: UpstreamError.Kind.self) })
        }
        policy.degradation = section.section("degrade") { Self.readDegradation(&$0) }
        policy.context = section.section("context") { readContext(&$0) }
        guard resolved, !balanced.isEmpty else { return nil }
        var route = Route(name: name, balanced: balanced, fallbacks: fallbacks, policy: policy)
        if let prompt = section.string("prompt") {
            do {
                route.prompt = try PromptReference(parsing: prompt)
            } catch {
                section.report("prompt", error.message, fix: "write 'prompt: NAME', 'prompt: NAME@3' or 'prompt: NAME@production'.")
            }
        }
        if let node = section.node("drift") {
            do {
                route.drift = try DriftMonitor(json: try YAMLJSON.value(node, file: "the configuration"), path: section.path("drift"))
            } catch {
                reader.report(node, error.param ?? section.path("drift"), error.message)
            }
        }
        if let node = section.node("contract") {
            do {
                route.contract = try InputContract(json: try YAMLJSON.value(node, file: "the configuration"), path: section.path("contract"))
            } catch {
                reader.report(node, error.param ?? section.path("contract"), error.message)
            }
        }
        if let node = section.node("risk") {
            do {
                route.risk = try RiskPolicy(json: try YAMLJSON.value(node, file: "the configuration"), path: section.path("risk"))
            } catch {
                reader.report(node, error.param ?? section.path("risk"), error.message)
            }
        }
        if section.node("retention") != nil {
            route.retention = section.section("retention") { Self.readRetention(&$0, classes: DataClass.allCases.filter { $0 != .audit }) }
        }
        if let node = section.node("pii") {
            do {
                route.pii = try PIIPolicy(json: try YAMLJSON.value(node, file: "the configuration"), path: section.path("pii"))
            } catch {
                reader.report(node, error.param ?? section.path("pii"), error.message)
            }
        }
        if let node = section.node("review") {
            do {
                route.review = try ReviewPolicy(json: try YAMLJSON.value(node, file: "the configuration"), path: section.path("review"))
            } catch {
                reader.report(node, error.param ?? section.path("review"), error.message)
            }
            if route.risk == nil {
                reader.report(
                    node,
                    section.path("review"),
                    "reviews the cases a risk policy holds, and the route has none.",
                    fix: "add a 'risk' section with high or medium rules."
                )
            }
        }
        if let node = section.node("evaluation") {
            do {
                route.evaluation = try EvaluationPlan(json: try YAMLJSON.value(node, file: "the configuration"), path: section.path("evaluation"))
            } catch {
                reader.report(node, error.param ?? section.path("evaluation"), error.message)
            }
        }
        if Set(route.targets.map(\.kind)).count > 1 {
            reader.report(section.node, section.path, "mixes chat and embedding models.", fix: "give each route models of one kind.")
        }
        return route
    }

    /// `circuit_breaker: { consecutive_failures, failure_rate, minimum_calls, window_seconds, open_seconds }`
    private mutating func readCircuitBreaker(_ root: inout YAMLSection) {
        root.section("circuit_breaker") { section in
            circuitBreaker.consecutiveFailures = section.integer("consecutive_failures", in: 1...10_000) ?? circuitBreaker.consecutiveFailures
            circuitBreaker.failureRate = section.number("failure_rate", in: 0.01...1) ?? circuitBreaker.failureRate
            circuitBreaker.minimumCalls = section.integer("minimum_calls", in: 1...1_000_000) ?? circuitBreaker.minimumCalls
            circuitBreaker.window = section.seconds("window_seconds", in: 0.1...86_400) ?? circuitBreaker.window
            circuitBreaker.openDuration = section.seconds("open_seconds", in: 0.01...86_400) ?? circuitBreaker.openDuration
        }
    }

    /// `budgets: [{ key: NAME | team: NAME | route: NAME, window: day|month|total, limit_usd: 50, soft_usd: 40 }]`
    private mutating func readBudgets(_ node: Node?, _ reader: YAMLReader) {
        for (path, item) in reader.items(node, "budgets", fix: "write '- { key: my-app, window: day, limit_usd: 50 }' a line.") {
            reader.section(item, path) { section in
                let scopes: [Budget.Scope] = [
                    section.string("key").map(Budget.Scope.key),
                    section.string("team").map(Budget.Scope.team),
                    section.string("route").map(Budget.Scope.route),
                ].compactMap { $0 }
                guard scopes.count == 1, let scope = scopes.first else {
                    reader.report(
                        item,
                        path,
                        "a budget covers exactly one key, team or route.",
                        fix: "write one of 'key: NAME', 'team: NAME', 'route: NAME'."
                    )
                    return section.abandon()
                }
                if case .route(let name) = scope, !routes.contains(where: { $0.name == name }) {
                    section.report("route", "no route is named '\(name)'.")
                }
                let window = section.choice("window", as: Budget.Window.self) ?? .day
                guard let limit = section.number("limit_usd", in: 0...1_000_000_000) else {
                    if section.node("limit_usd") == nil { section.report("limit_usd", "missing the limit.", fix: "add 'limit_usd: 50'.") }
                    return section.abandon()
                }
                let soft = section.number("soft_usd", in: 0...limit)
                budgets.append(Budget(scope: scope, window: window, limit: Money(dollars: limit), softLimit: soft.map(Money.init(dollars:))))
            }
        }
    }

    /// `alerts: { webhook_url: URL, daily_spend_usd: 100, daily_jump_factor: 3, trailing_days: 7, check_interval_seconds: 60 }`
    private mutating func readAlerts(_ root: inout YAMLSection) {
        root.section("alerts") { section in
            alerts.webhookURL = Self.readURL(&section, "webhook_url", example: "https://hooks.example.com/keel")
            alerts.spend.dailyThreshold = section.number("daily_spend_usd", in: 0...1_000_000_000).map(Money.init(dollars:))
            alerts.spend.jumpFactor = section.number("daily_jump_factor", in: 1...1000)
            alerts.spend.trailingDays = section.integer("trailing_days", in: 1...90) ?? alerts.spend.trailingDays
            alerts.checkInterval = section.seconds("check_interval_seconds", in: 1...86_400) ?? alerts.checkInterval
        }
    }

    /// `retention: { bodies_days: 30, metadata_days, workflow_steps_days, reviews_days, audit_days }`, of
    /// `classes` (a route's own may not name the audit trail, which every route shares).
    private static func readRetention(_ section: inout YAMLSection, classes: [DataClass]) -> RetentionPeriods {
        var periods = RetentionPeriods()
        for data in classes {
            if let days = section.number(data.key, in: 0.001...36_500) { periods.periods[data] = days * 86_400 }
        }
        return periods
    }

    /// `audit: { signing_key_env: KEEL_AUDIT_KEY, checkpoint_seconds: 60 }`
    private mutating func readAudit(_ root: inout YAMLSection, environment: [String: String]) {
        root.section("audit") { section in
            if let variable = section.string("signing_key_env") {
                if let key = environment[variable], key.utf8.count >= 16 {
                    audit.signingKey = key
                } else {
                    section.report(
                        "signing_key_env",
                        "the environment variable \(variable) is not set, or holds fewer than 16 bytes.",
                        fix: "export \(variable)=$(openssl rand -hex 32) before starting Keel."
                    )
                }
            }
            audit.checkpointInterval = section.seconds("checkpoint_seconds", in: 1...86_400) ?? audit.checkpointInterval
        }
    }

    /// `tracing: { endpoint: http://collector:4318, protocol: http/protobuf, service_name: keel, content: false, sample_ratio: 1, batch_delay_ms: 250 }`
    private mutating func readTracing(_ root: inout YAMLSection) {
        root.section("tracing") { section in
            tracing.endpoint = Self.readURL(&section, "endpoint", example: "http://127.0.0.1:4318")
            tracing.wireProtocol = section.choice("protocol", as: Tracing.WireProtocol.self) ?? tracing.wireProtocol
            tracing.serviceName = section.string("service_name") ?? tracing.serviceName
            tracing.content = section.bool("content") ?? tracing.content
            tracing.sampleRatio = section.number("sample_ratio", in: 0...1) ?? tracing.sampleRatio
            tracing.batchDelay = section.integer("batch_delay_ms", in: 1...60_000).map { .milliseconds($0) } ?? tracing.batchDelay
        }
    }

    /// An http(s) URL setting.
    private static func readURL(_ section: inout YAMLSection, _ key: String, example: String) -> String? {
        guard let url = section.string(key) else { return nil }
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            section.report(key, "is not an http(s) URL.", fix: "write '\(key): \(example)'.")
            return nil
        }
        return url
    }

    /// `rate_limits: { default: { requests_per_minute: 600, tokens_per_minute: 200000 }, keys: { NAME: { … } } }`
    private mutating func readRateLimits(_ root: inout YAMLSection) {
        func limit(_ section: inout YAMLSection) -> RateLimits.Limit {
            RateLimits.Limit(
                requestsPerMinute: section.integer("requests_per_minute", in: 1...1_000_000_000),
                tokensPerMinute: section.integer("tokens_per_minute", in: 1...1_000_000_000)
            )
        }
        root.section("rate_limits") { section in
            if section.node("default") != nil { defaultRateLimit = section.section("default", limit) }
            let keys = section.node("keys")
            for (name, node) in section.reader.entries(keys, section.path("keys")) {
                rateLimits[name] = section.reader.section(node, "\(section.path("keys")).\(name)", limit)
            }
        }
    }

    /// A route's workflow context: `context: { strategy: truncate|summarize|fail, context_tokens: 8000, summarizer: MODEL }`.
    private func readContext(_ section: inout YAMLSection) -> ContextPolicy {
        var policy = ContextPolicy()
        policy.strategy = section.choice("strategy", as: ContextStrategy.self) ?? policy.strategy
        policy.contextTokens = section.integer("context_tokens", in: 16...10_000_000)
        if let summarizer = section.node("summarizer") {
            policy.summarizer = deployment(named: section.string("summarizer"), at: summarizer, section.path("summarizer"), section.reader)
        } else if policy.strategy == .summarize {
            section.report("summarizer", "'summarize' needs a model to write summaries.", fix: "add 'summarizer: NAME' (a cheaper model).")
        }
        return policy
    }

    /// A route's last resort: `degrade: { cache_ttl_seconds: 300, static_answer: "…" }`.
    private static func readDegradation(_ section: inout YAMLSection) -> DegradationPolicy {
        var policy = DegradationPolicy()
        policy.cacheTTL = section.seconds("cache_ttl_seconds", in: 0.001...31_536_000)
        policy.staticAnswer = section.string("static_answer")
        return policy
    }

    /// The model a route names, or a problem with the closest known name.
    private func deployment(named name: String?, at node: Node, _ path: String, _ reader: YAMLReader) -> ModelDeployment? {
        guard let name else { return nil }
        if let deployment = models.first(where: { $0.name == name }) { return deployment }
        let modelNames = models.map(\.name)
        let suggestion = YAMLReader.closest(to: name, in: modelNames).map { "did you mean '\($0)'?" }
        reader.report(node, path, "no model is named '\(name)'.", fix: suggestion ?? "use one of: \(modelNames.joined(separator: ", ")).")
        return nil
    }

    private mutating func readKeys(_ node: Node?, environment: [String: String], _ reader: YAMLReader) {
        for (name, value) in reader.entries(node, "keys") {
            reader.section(value, "keys.\(name)") { section in
                let role = section.choice("role", as: APIKey.Role.self) ?? .app
                let team = section.string("team")
                guard let variable = section.string("secret_env") else {
                    if section.node("secret_env") == nil {
                        section.report(
                            "secret_env",
                            "missing the environment variable that holds the key.",
                            fix: "add 'secret_env: NAME'; secrets never go in this file."
                        )
                    }
                    return section.abandon()
                }
                guard let secret = environment[variable], secret.count >= 20 else {
                    section.report(
                        "secret_env",
                        "the environment variable \(variable) is not set or shorter than 20 characters.",
                        fix: "export \(variable) with a long random secret."
                    )
                    return section.abandon()
                }
                keys.append(ProvisionedKey(name: name, role: role, secret: secret, team: team))
            }
        }
    }
}
