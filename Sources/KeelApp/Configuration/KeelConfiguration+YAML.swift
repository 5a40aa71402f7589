import Foundation
import KeelCore
import KeelProviders
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
        var reader = YAMLReader()
        let configuration = read(root, environment: environment, &reader)
        return (configuration, reader.problems)
    }

    /// Reads the configuration in `root`, reporting its problems to `reader`.
    static func read(_ root: Node?, environment: [String: String], _ reader: inout YAMLReader) -> KeelConfiguration {
        var configuration = KeelConfiguration()
        let sections = reader.mapping(
            root,
            "",
            allowed: [
                "server", "storage", "log", "providers", "models", "routes", "circuit_breaker", "budgets", "rate_limits", "keys", "alerts",
                "idempotency", "workflows", "tracing", "metrics",
            ]
        )
        let section = Dictionary(sections.map { ($0.key, $0.node) }, uniquingKeysWith: { first, _ in first })
        configuration.readServer(section["server"], &reader)
        configuration.readStorage(section["storage"], &reader)
        configuration.readLog(section["log"], &reader)
        configuration.readProviders(section["providers"], environment: environment, &reader)
        configuration.readModels(section["models"], &reader)
        configuration.readRoutes(section["routes"], &reader)
        configuration.readCircuitBreaker(section["circuit_breaker"], &reader)
        configuration.readBudgets(section["budgets"], &reader)
        configuration.readRateLimits(section["rate_limits"], &reader)
        configuration.readKeys(section["keys"], environment: environment, &reader)
        configuration.readAlerts(section["alerts"], &reader)
        configuration.readTracing(section["tracing"], &reader)
        for (_, value) in reader.mapping(section["metrics"], "metrics", allowed: ["enabled"]) {
            configuration.metricsEnabled = reader.bool(value, "metrics.enabled") ?? true
        }
        for (_, value) in reader.mapping(section["idempotency"], "idempotency", allowed: ["ttl_hours"]) {
            if let hours = reader.number(value, "idempotency.ttl_hours", in: 0.01...8760) {
                configuration.idempotencyLifetime = .milliseconds(Int64(hours * 3_600_000))
            }
        }
        for (_, value) in reader.mapping(section["workflows"], "workflows", allowed: ["abandon_after_minutes"]) {
            if let minutes = reader.number(value, "workflows.abandon_after_minutes", in: 1...525_600) {
                configuration.workflowIdleTime = .milliseconds(Int64(minutes * 60_000))
            }
        }
        if configuration.routes.isEmpty, reader.problems.isEmpty {
            reader.report(root, "routes", "no routes are configured, so clients can call no model.", fix: "add a route under 'routes:'.")
        }
        return configuration
    }

    private mutating func readServer(_ node: Node?, _ reader: inout YAMLReader) {
        for (key, value) in reader.mapping(node, "server", allowed: ["host", "port", "max_body_bytes"]) {
            switch key {
            case "host": server.host = reader.string(value, "server.host") ?? server.host
            case "port": server.port = reader.integer(value, "server.port", in: 0...65535) ?? server.port
            default: server.maximumBodySize = reader.integer(value, "server.max_body_bytes", in: 1024...(1 << 30)) ?? server.maximumBodySize
            }
        }
    }

    private mutating func readStorage(_ node: Node?, _ reader: inout YAMLReader) {
        for (_, value) in reader.mapping(node, "storage", allowed: ["path"]) {
            storage.path = reader.string(value, "storage.path") ?? storage.path
        }
    }

    private mutating func readLog(_ node: Node?, _ reader: inout YAMLReader) {
        for (key, value) in reader.mapping(node, "log", allowed: ["bodies", "level"]) {
            switch key {
            case "bodies": log.bodies = reader.choice(value, "log.bodies", as: RecordStage.BodyCapture.self) ?? log.bodies
            default: log.level = reader.choice(value, "log.level", as: Logger.Level.self) ?? log.level
            }
        }
    }

    private mutating func readProviders(_ node: Node?, environment: [String: String], _ reader: inout YAMLReader) {
        let allowed = [
            "type", "base_url", "api_key_env", "timeout_seconds", "seed", "latency", "tokens_per_second", "output_tokens", "faults", "context_window",
        ]
        for (name, value) in reader.mapping(node, "providers") {
            let path = "providers.\(name)"
            let entries = Dictionary(reader.mapping(value, path, allowed: allowed).map { ($0.key, $0.node) }, uniquingKeysWith: { a, _ in a })
            guard let typeNode = entries["type"] else {
                reader.report(value, "\(path).type", "missing the provider type.", fix: "add 'type: openai', 'type: anthropic' or 'type: simulated'.")
                continue
            }
            guard let kind = reader.choice(typeNode, "\(path).type", as: Provider.Kind.self) else { continue }
            var provider = Provider(name: name, kind: kind)
            provider.baseURL = reader.string(entries["base_url"], "\(path).base_url")
            if let seconds = reader.number(entries["timeout_seconds"], "\(path).timeout_seconds", in: 0.001...3600) {
                provider.timeout = .milliseconds(Int64(seconds * 1000))
            }
            if let variable = reader.string(entries["api_key_env"], "\(path).api_key_env") {
                if let secret = environment[variable], !secret.isEmpty {
                    provider.apiKey = secret
                } else {
                    reader.report(
                        entries["api_key_env"],
                        "\(path).api_key_env",
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
                for simulatorOnly in ["seed", "latency", "tokens_per_second", "output_tokens", "faults"] where entries[simulatorOnly] != nil {
                    reader.report(
                        entries[simulatorOnly],
                        "\(path).\(simulatorOnly)",
                        "only simulated providers take this setting.",
                        fix: "remove it."
                    )
                }
            case .simulated:
                provider.simulation = Self.readSimulation(entries, path: path, base: SimulationProfile(), &reader)
            }
            providers.append(provider)
        }
    }

    /// A simulated provider's behaviour: `base` with the settings in `entries` applied.
    static func readSimulation(_ entries: [String: Node], path: String, base: SimulationProfile, _ reader: inout YAMLReader) -> SimulationProfile {
        var profile = base
        if let seed = reader.integer(entries["seed"], "\(path).seed", in: 0...Int.max) { profile.seed = UInt64(seed) }
        if let window = reader.integer(entries["context_window"], "\(path).context_window", in: 16...10_000_000) { profile.contextWindow = window }
        for (key, value) in reader.mapping(entries["latency"], "\(path).latency", allowed: ["p50_ms", "p99_ms"]) {
            guard let milliseconds = reader.number(value, "\(path).latency.\(key)", in: 0...600_000) else { continue }
            let duration = Duration.microseconds(Int64(milliseconds * 1000))
            if key == "p50_ms" { profile.latencyP50 = duration } else { profile.latencyP99 = duration }
        }
        if profile.latencyP99 < profile.latencyP50 {
            reader.report(entries["latency"], "\(path).latency", "p99_ms is below p50_ms.", fix: "make p99_ms at least p50_ms.")
        }
        if let speed = entries["tokens_per_second"] {
            let value = reader.number(speed, "\(path).tokens_per_second", in: 0...1_000_000)
            profile.tokensPerSecond = value == 0 ? nil : value
        }
        let tokens = reader.mapping(entries["output_tokens"], "\(path).output_tokens", allowed: ["min", "max"])
        if !tokens.isEmpty {
            let values = Dictionary(tokens.map { ($0.key, reader.integer($0.node, "\(path).output_tokens.\($0.key)", in: 0...100_000)) }) { a, _ in a
            }
            let low = (values["min"] ?? nil) ?? profile.outputTokens.lowerBound
            let high = (values["max"] ?? nil) ?? max(low, profile.outputTokens.upperBound)
            if low <= high {
                profile.outputTokens = low...high
            } else {
                reader.report(entries["output_tokens"], "\(path).output_tokens", "min is above max.", fix: "make max at least min.")
            }
        }
        let faultKeys = ["rate_limit", "server_error", "unavailable", "timeout", "stream_cut", "retry_after_seconds", "hang_seconds"]
        for (key, value) in reader.mapping(entries["faults"], "\(path).faults", allowed: faultKeys) {
            let faultPath = "\(path).faults.\(key)"
            switch key {
            case "retry_after_seconds": profile.retryAfterSeconds = reader.integer(value, faultPath, in: 0...3600) ?? profile.retryAfterSeconds
            case "hang_seconds":
                profile.hangTime = reader.number(value, faultPath, in: 0...3600).map { .milliseconds(Int64($0 * 1000)) } ?? profile.hangTime
            default:
                let rate = reader.number(value, faultPath, in: 0...1) ?? 0
                switch key {
                case "rate_limit": profile.rateLimitRate = rate
                case "server_error": profile.serverErrorRate = rate
                case "unavailable": profile.unavailableRate = rate
                case "timeout": profile.timeoutRate = rate
                default: profile.streamCutRate = rate
                }
            }
        }
        let total = profile.rateLimitRate + profile.serverErrorRate + profile.unavailableRate + profile.timeoutRate + profile.streamCutRate
        if total > 1 {
            reader.report(entries["faults"], "\(path).faults", "the fault rates add up to more than 1.", fix: "lower them so they sum to 1 or less.")
        }
        return profile
    }

    private mutating func readModels(_ node: Node?, _ reader: inout YAMLReader) {
        let providerNames = providers.map(\.name)
        for (name, value) in reader.mapping(node, "models") {
            let path = "models.\(name)"
            let entries = Dictionary(
                reader.mapping(value, path, allowed: ["provider", "upstream_model", "kind", "context_window", "price", "tokenizer"]).map {
                    ($0.key, $0.node)
                },
                uniquingKeysWith: { a, _ in a }
            )
            guard let providerName = reader.string(entries["provider"], "\(path).provider") else {
                if entries["provider"] == nil {
                    reader.report(
                        value,
                        "\(path).provider",
                        "missing the provider that serves this model.",
                        fix: "add 'provider: NAME' naming one of: \(providerNames.joined(separator: ", "))."
                    )
                }
                continue
            }
            guard let provider = providers.first(where: { $0.name == providerName }) else {
                let suggestion = YAMLReader.closest(to: providerName, in: providerNames).map { "did you mean '\($0)'?" }
                reader.report(
                    entries["provider"],
                    "\(path).provider",
                    "no provider is named '\(providerName)'.",
                    fix: suggestion ?? "use one of: \(providerNames.joined(separator: ", "))."
                )
                continue
            }
            var deployment = ModelDeployment(
                name: name,
                provider: providerName,
                upstreamModel: reader.string(entries["upstream_model"], "\(path).upstream_model") ?? name
            )
            deployment.kind = reader.choice(entries["kind"], "\(path).kind", as: ModelDeployment.Kind.self) ?? .chat
            if deployment.kind == .embedding, provider.kind == .anthropic {
                reader.report(
                    entries["kind"],
                    "\(path).kind",
                    "Anthropic serves no embeddings.",
                    fix: "serve embeddings from an openai or simulated provider."
                )
            }
            deployment.contextWindow = reader.integer(entries["context_window"], "\(path).context_window", in: 1...100_000_000)
            deployment.tokenizer = reader.choice(entries["tokenizer"], "\(path).tokenizer", as: Tokenizer.Encoding.self)?.rawValue
            var prices: [String: Double] = [:]
            for (key, priceNode) in reader.mapping(entries["price"], "\(path).price", allowed: ["input", "output", "cached_input"]) {
                prices[key] = reader.number(priceNode, "\(path).price.\(key)", in: 0...100_000)
            }
            deployment.price = Price(
                inputPerMillion: prices["input"] ?? 0,
                outputPerMillion: prices["output"] ?? 0,
                cachedInputPerMillion: prices["cached_input"]
            )
            models.append(deployment)
        }
    }

    private mutating func readRoutes(_ node: Node?, _ reader: inout YAMLReader) {
        for (name, value) in reader.mapping(node, "routes") {
            let path = "routes.\(name)"
            var entries: [String: Node] = [:]
            if case .scalar = value {
                entries["model"] = value
            } else {
                let allowed = ["model", "balance", "fallbacks", "latency_budget_ms", "max_attempts", "retry_on", "degrade", "context"]
                entries = Dictionary(reader.mapping(value, path, allowed: allowed).map { ($0.key, $0.node) }, uniquingKeysWith: { a, _ in a })
                if (entries["model"] == nil) == (entries["balance"] == nil) {
                    reader.report(
                        value,
                        "\(path).model",
                        "needs either 'model' or 'balance', and not both.",
                        fix: "write 'model: NAME', or 'balance: { NAME: WEIGHT, … }' to spread the load."
                    )
                    continue
                }
            }
            var resolved = true
            var balanced: [Route.Share] = []
            if let modelNode = entries["model"] {
                if let deployment = deployment(named: reader.string(modelNode, "\(path).model"), at: modelNode, "\(path).model", &reader) {
                    balanced.append(Route.Share(deployment))
                } else {
                    resolved = false
                }
            }
            for (modelName, weightNode) in reader.mapping(entries["balance"], "\(path).balance") {
                let sharePath = "\(path).balance.\(modelName)"
                let weight = reader.number(weightNode, sharePath, in: 0.001...1_000_000)
                guard let deployment = deployment(named: modelName, at: weightNode, sharePath, &reader), let weight else {
                    resolved = false
                    continue
                }
                balanced.append(Route.Share(deployment, weight: weight))
            }
            var fallbacks: [ModelDeployment] = []
            if let fallbackNode = entries["fallbacks"] {
                if case .sequence(let sequence) = fallbackNode {
                    for (offset, node) in sequence.enumerated() {
                        let fallbackPath = "\(path).fallbacks.\(offset)"
                        if let deployment = deployment(named: reader.string(node, fallbackPath), at: node, fallbackPath, &reader) {
                            fallbacks.append(deployment)
                        } else {
                            resolved = false
                        }
                    }
                } else {
                    reader.report(fallbackNode, "\(path).fallbacks", "expected a list of model names.", fix: "write 'fallbacks: [model-a, model-b]'.")
                }
            }
            var policy = RoutePolicy()
            if let milliseconds = reader.integer(entries["latency_budget_ms"], "\(path).latency_budget_ms", in: 1...3_600_000) {
                policy.latencyBudget = .milliseconds(milliseconds)
            }
            policy.maxAttempts = reader.integer(entries["max_attempts"], "\(path).max_attempts", in: 1...20) ?? policy.maxAttempts
            if let retryOn = entries["retry_on"] {
                if case .sequence(let kinds) = retryOn {
                    let parsed = kinds.enumerated().compactMap {
                        reader.choice($0.element, "\(path).retry_on.\($0.offset)", as: UpstreamError.Kind.self)
                    }
                    policy.retryOn = Set(parsed)
                } else {
                    reader.report(
                        retryOn,
                        "\(path).retry_on",
                        "expected a list of failure kinds.",
                        fix: "write e.g. 'retry_on: [rate_limited, server_error]'."
                    )
                }
            }
            policy.degradation = readDegradation(entries["degrade"], path: "\(path).degrade", &reader)
            policy.context = readContext(entries["context"], path: "\(path).context", &reader)
            guard resolved, !balanced.isEmpty else { continue }
            let route = Route(name: name, balanced: balanced, fallbacks: fallbacks, policy: policy)
            if Set(route.targets.map(\.kind)).count > 1 {
                reader.report(value, path, "mixes chat and embedding models.", fix: "give each route models of one kind.")
            }
            routes.append(route)
        }
    }

    private mutating func readCircuitBreaker(_ node: Node?, _ reader: inout YAMLReader) {
        let allowed = ["consecutive_failures", "failure_rate", "minimum_calls", "window_seconds", "open_seconds"]
        for (key, value) in reader.mapping(node, "circuit_breaker", allowed: allowed) {
            let path = "circuit_breaker.\(key)"
            switch key {
            case "consecutive_failures":
                circuitBreaker.consecutiveFailures = reader.integer(value, path, in: 1...10_000) ?? circuitBreaker.consecutiveFailures
            case "failure_rate": circuitBreaker.failureRate = reader.number(value, path, in: 0.01...1) ?? circuitBreaker.failureRate
            case "minimum_calls": circuitBreaker.minimumCalls = reader.integer(value, path, in: 1...1_000_000) ?? circuitBreaker.minimumCalls
            case "window_seconds":
                circuitBreaker.window = reader.number(value, path, in: 0.1...86_400).map { .milliseconds(Int64($0 * 1000)) } ?? circuitBreaker.window
            default:
                circuitBreaker.openDuration =
                    reader.number(value, path, in: 0.01...86_400).map { .milliseconds(Int64($0 * 1000)) } ?? circuitBreaker.openDuration
            }
        }
    }

    /// `budgets: [{ key: NAME | team: NAME | route: NAME, window: day|month|total, limit_usd: 50, soft_usd: 40 }]`
    private mutating func readBudgets(_ node: Node?, _ reader: inout YAMLReader) {
        guard let node else { return }
        guard case .sequence(let items) = node else {
            reader.report(node, "budgets", "expected a list of budgets.", fix: "write '- { key: my-app, window: day, limit_usd: 50 }' a line.")
            return
        }
        for (index, item) in items.enumerated() {
            let path = "budgets.\(index)"
            let entries = Dictionary(
                reader.mapping(item, path, allowed: ["key", "team", "route", "window", "limit_usd", "soft_usd"]).map { ($0.key, $0.node) },
                uniquingKeysWith: { first, _ in first }
            )
            let scopes: [Budget.Scope] = [
                reader.string(entries["key"], "\(path).key").map(Budget.Scope.key),
                reader.string(entries["team"], "\(path).team").map(Budget.Scope.team),
                reader.string(entries["route"], "\(path).route").map(Budget.Scope.route),
            ].compactMap { $0 }
            guard scopes.count == 1, let scope = scopes.first else {
                reader.report(
                    item,
                    path,
                    "a budget covers exactly one key, team or route.",
                    fix: "write one of 'key: NAME', 'team: NAME', 'route: NAME'."
                )
                continue
            }
            if case .route(let name) = scope, !routes.contains(where: { $0.name == name }) {
                reader.report(entries["route"], "\(path).route", "no route is named '\(name)'.")
            }
            let window = reader.choice(entries["window"], "\(path).window", as: Budget.Window.self) ?? .day
            guard let limit = reader.number(entries["limit_usd"], "\(path).limit_usd", in: 0...1_000_000_000) else {
                if entries["limit_usd"] == nil { reader.report(item, "\(path).limit_usd", "missing the limit.", fix: "add 'limit_usd: 50'.") }
                continue
            }
            let soft = reader.number(entries["soft_usd"], "\(path).soft_usd", in: 0...limit)
            budgets.append(Budget(scope: scope, window: window, limit: Money(dollars: limit), softLimit: soft.map(Money.init(dollars:))))
        }
    }

    /// `alerts: { webhook_url: URL, daily_spend_usd: 100, daily_jump_factor: 3, trailing_days: 7, check_interval_seconds: 60 }`
    private mutating func readAlerts(_ node: Node?, _ reader: inout YAMLReader) {
        let allowed = ["webhook_url", "daily_spend_usd", "daily_jump_factor", "trailing_days", "check_interval_seconds"]
        for (key, value) in reader.mapping(node, "alerts", allowed: allowed) {
            let path = "alerts.\(key)"
            switch key {
            case "webhook_url":
                guard let url = reader.string(value, path) else { continue }
                guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                    reader.report(value, path, "is not an http(s) URL.", fix: "write 'webhook_url: https://hooks.example.com/keel'.")
                    continue
                }
                alerts.webhookURL = url
            case "daily_spend_usd": alerts.spend.dailyThreshold = reader.number(value, path, in: 0...1_000_000_000).map(Money.init(dollars:))
            case "daily_jump_factor": alerts.spend.jumpFactor = reader.number(value, path, in: 1...1000)
            case "trailing_days": alerts.spend.trailingDays = reader.integer(value, path, in: 1...90) ?? alerts.spend.trailingDays
            default: alerts.checkInterval = reader.number(value, path, in: 1...86_400).map { .milliseconds(Int64($0 * 1000)) } ?? alerts.checkInterval
            }
        }
    }

    /// `tracing: { endpoint: http://collector:4318, protocol: http/protobuf, service_name: keel, content: false, sample_ratio: 1 }`
    private mutating func readTracing(_ node: Node?, _ reader: inout YAMLReader) {
        let allowed = ["endpoint", "protocol", "service_name", "content", "sample_ratio", "batch_delay_ms"]
        for (key, value) in reader.mapping(node, "tracing", allowed: allowed) {
            let path = "tracing.\(key)"
            switch key {
            case "endpoint":
                guard let url = reader.string(value, path) else { continue }
                guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                    reader.report(value, path, "is not an http(s) URL.", fix: "write 'endpoint: http://127.0.0.1:4318'.")
                    continue
                }
                tracing.endpoint = url
            case "protocol": tracing.wireProtocol = reader.choice(value, path, as: Tracing.WireProtocol.self) ?? tracing.wireProtocol
            case "service_name": tracing.serviceName = reader.string(value, path) ?? tracing.serviceName
            case "content": tracing.content = reader.bool(value, path) ?? tracing.content
            case "sample_ratio": tracing.sampleRatio = reader.number(value, path, in: 0...1) ?? tracing.sampleRatio
            default: tracing.batchDelay = reader.integer(value, path, in: 1...60_000).map { .milliseconds($0) } ?? tracing.batchDelay
            }
        }
    }

    /// `rate_limits: { default: { requests_per_minute: 600, tokens_per_minute: 200000 }, keys: { NAME: { … } } }`
    private mutating func readRateLimits(_ node: Node?, _ reader: inout YAMLReader) {
        func limit(_ node: Node, _ path: String, _ reader: inout YAMLReader) -> RateLimits.Limit {
            var limit = RateLimits.Limit()
            for (key, value) in reader.mapping(node, path, allowed: ["requests_per_minute", "tokens_per_minute"]) {
                let number = reader.integer(value, "\(path).\(key)", in: 1...1_000_000_000)
                if key == "requests_per_minute" { limit.requestsPerMinute = number } else { limit.tokensPerMinute = number }
            }
            return limit
        }
        for (key, value) in reader.mapping(node, "rate_limits", allowed: ["default", "keys"]) {
            if key == "default" {
                defaultRateLimit = limit(value, "rate_limits.default", &reader)
            } else {
                for (name, keyLimit) in reader.mapping(value, "rate_limits.keys") {
                    rateLimits[name] = limit(keyLimit, "rate_limits.keys.\(name)", &reader)
                }
            }
        }
    }

    /// A route's workflow context: `context: { strategy: truncate|summarize|fail, context_tokens: 8000, summarizer: MODEL }`.
    private func readContext(_ node: Node?, path: String, _ reader: inout YAMLReader) -> ContextPolicy {
        var policy = ContextPolicy()
        let entries = Dictionary(
            reader.mapping(node, path, allowed: ["strategy", "context_tokens", "summarizer"]).map { ($0.key, $0.node) },
            uniquingKeysWith: { first, _ in first }
        )
        policy.strategy = reader.choice(entries["strategy"], "\(path).strategy", as: ContextStrategy.self) ?? policy.strategy
        policy.contextTokens = reader.integer(entries["context_tokens"], "\(path).context_tokens", in: 16...10_000_000)
        if let summarizer = entries["summarizer"] {
            policy.summarizer = deployment(named: reader.string(summarizer, "\(path).summarizer"), at: summarizer, "\(path).summarizer", &reader)
        }
        if policy.strategy == .summarize, policy.summarizer == nil, entries["summarizer"] == nil {
            reader.report(
                node,
                "\(path).summarizer",
                "'summarize' needs a model to write summaries.",
                fix: "add 'summarizer: NAME' (a cheaper model)."
            )
        }
        return policy
    }

    /// A route's last resort: `degrade: { cache_ttl_seconds: 300, static_answer: "…" }`.
    private func readDegradation(_ node: Node?, path: String, _ reader: inout YAMLReader) -> DegradationPolicy {
        var policy = DegradationPolicy()
        for (key, value) in reader.mapping(node, path, allowed: ["cache_ttl_seconds", "static_answer"]) {
            switch key {
            case "cache_ttl_seconds":
                policy.cacheTTL = reader.number(value, "\(path).cache_ttl_seconds", in: 0.001...31_536_000).map { .milliseconds(Int64($0 * 1000)) }
            default: policy.staticAnswer = reader.string(value, "\(path).static_answer")
            }
        }
        return policy
    }

    /// The model a route names, or a problem with the closest known name.
    private func deployment(named name: String?, at node: Node, _ path: String, _ reader: inout YAMLReader) -> ModelDeployment? {
        guard let name else { return nil }
        if let deployment = models.first(where: { $0.name == name }) { return deployment }
        let modelNames = models.map(\.name)
        let suggestion = YAMLReader.closest(to: name, in: modelNames).map { "did you mean '\($0)'?" }
        reader.report(node, path, "no model is named '\(name)'.", fix: suggestion ?? "use one of: \(modelNames.joined(separator: ", ")).")
        return nil
    }

    private mutating func readKeys(_ node: Node?, environment: [String: String], _ reader: inout YAMLReader) {
        for (name, value) in reader.mapping(node, "keys") {
            let path = "keys.\(name)"
            let entries = Dictionary(
                reader.mapping(value, path, allowed: ["role", "secret_env", "team"]).map { ($0.key, $0.node) },
                uniquingKeysWith: { a, _ in a }
            )
            let role = reader.choice(entries["role"], "\(path).role", as: APIKey.Role.self) ?? .app
            guard let variable = reader.string(entries["secret_env"], "\(path).secret_env") else {
                if entries["secret_env"] == nil {
                    reader.report(
                        value,
                        "\(path).secret_env",
                        "missing the environment variable that holds the key.",
                        fix: "add 'secret_env: NAME'; secrets never go in this file."
                    )
                }
                continue
            }
            guard let secret = environment[variable], secret.count >= 20 else {
                reader.report(
                    entries["secret_env"],
                    "\(path).secret_env",
                    "the environment variable \(variable) is not set or shorter than 20 characters.",
                    fix: "export \(variable) with a long random secret."
                )
                continue
            }
            keys.append(ProvisionedKey(name: name, role: role, secret: secret, team: reader.string(entries["team"], "\(path).team")))
        }
    }
}
