import AsyncHTTPClient
import Foundation
import Hummingbird
import KeelCore
import KeelProviders
import KeelServer
import KeelStore
import KeelTokenizer
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

/// Keel assembled from its configuration: storage, upstreams, the pipeline and the HTTP server.
public enum Gateway {
    /// The one wiring function: what `keel serve`, `keel demo` and the tests all run.
    public static func buildApplication(
        configuration: KeelConfiguration,
        logger: Logger = Logger(label: "keel"),
        clock: KeelClock = .system
    ) async throws -> some ApplicationProtocol {
        let store = try SQLiteStore(path: configuration.storage.path)
        try await recoverInterrupted(store, logger: logger, clock: clock)
        try await provisionKeys(configuration.keys, in: store, clock: clock)
        let client = HTTPClientService.makeClient(for: configuration.providers)
        let registry = PrometheusCollectorRegistry()
        let metrics: any MetricsFactory = configuration.metricsEnabled ? makeMetricsFactory(registry) : NOOPMetricsHandler.instance
        let trips = LimitTrips(factory: metrics)
        let upstreams = makeUpstreams(configuration.providers, client: client, trips: trips, clock: clock)
        let logWriter = RequestLogWriter(store: store, keepsBodies: configuration.log.bodies == .full, logger: logger)
        let tracing = try TracingService.make(configuration.tracing, logger: logger)
        let authenticator = KeyAuthenticator(store: store)
        let started = Int(clock.now().timeIntervalSince1970)
        let routes = RouteTable(
            configuration.routes.map { route in
                var route = route
                route.created = started
                return route
            }
        )
        let logTransition: @Sendable (ModelDeployment, CircuitBreaker.Transition) -> Void = { deployment, transition in
            logger.warning(
                "circuit breaker changed state",
                metadata: ["deployment": "\(deployment.name)", "from": "\(transition.from.rawValue)", "to": "\(transition.to.rawValue)"]
            )
        }
        let health = UpstreamHealth(
            deployments: configuration.models,
            breaker: configuration.circuitBreaker,
            clock: clock,
            onTransition: logTransition
        )
        let ledger = BudgetLedger(budgets: configuration.budgets, clock: clock)
        try await seed(ledger, from: store, clock: clock)
        let alerts = AlertService(configuration: configuration.alerts, costs: store, client: client.client, clock: clock, logger: logger)
        let pipeline = makePipeline(
            observers: [logWriter] + (configuration.metricsEnabled ? [GatewayMetrics(factory: metrics)] : []) + (tracing.map { [$0.observer] } ?? []),
            counter: try ChatTokenCounter(deployments: configuration.models),
            rateLimits: RateLimits(defaultLimit: configuration.defaultRateLimit, byKeyName: configuration.rateLimits, clock: clock),
            budgets: ledger,
            alerts: alerts.raise,
            // Tracing with content needs the bodies too; the log writes them only if it keeps them.
            bodies: configuration.log.bodies == .full || (tracing != nil && configuration.tracing.content) ? .full : .none,
            maximumBodyBytes: configuration.log.maximumBodyBytes,
            limits: configuration.limits,
            trips: trips,
            authenticator: authenticator,
            routes: routes,
            upstreams: upstreams,
            health: health,
            store: store,
            idempotencyLifetime: configuration.idempotencyLifetime,
            clock: clock
        )

        let disconnects = ClientDisconnects()
        let router = Router(context: KeelRequestContext.self)
        router.add(middleware: OpenAIErrorMiddleware())
        GatewayController(
            pipeline: pipeline,
            routes: routes,
            authenticator: authenticator,
            disconnects: disconnects,
            maximumBodySize: configuration.server.maximumBodySize,
            trips: trips
        )
        .addRoutes(to: router.group("v1"))
        AdminController(authenticator: authenticator, log: store, costs: store, health: health, clock: clock).addRoutes(to: router.group("api"))
        let workflows = WorkflowReporter(store: store, idleTime: configuration.workflowIdleTime, clock: clock)
        WorkflowController(authenticator: authenticator, reporter: workflows).addRoutes(to: router.group("api"))
        DashboardController(
            authenticator: authenticator,
            log: store,
            traffic: store,
            routes: routes,
            health: health,
            budgets: ledger,
            workflows: workflows,
            backlog: logWriter
        )
        .addRoutes(to: router)
        let connections = ConnectionGuard(
            configuration: .init(
                maximumConnections: configuration.server.maximumConnections
                    ?? FileDescriptorLimit.defaultMaximumConnections(for: FileDescriptorLimit.raise()),
                idleTimeout: configuration.server.idleTimeout,
                headerTimeout: configuration.server.headerTimeout
            ),
            trips: trips,
            logger: logger
        )
        if configuration.metricsEnabled {
            MetricsController(registry: registry, health: health, budgets: ledger, workflows: workflows, log: logWriter, connections: connections)
                .addRoutes(to: router)
        }
        router.get("healthz") { _, _ in "ok" }

        return Application(
            router: router,
            server: .guardedHTTP1(connections, configuration: .init(additionalChannelHandlers: [disconnects.watcher()])),
            configuration: .init(address: .hostname(configuration.server.host, port: configuration.server.port), serverName: "keel"),
            services: [logWriter, alerts, HTTPClientService(upstreams: client), MemoryTrimmer(connections: connections, logger: logger)]
                + (tracing?.services ?? []),
            logger: logger
        )
    }

    /// The request path, stage by stage. A new stage is one type and one line here.
    static func makePipeline(
        observers: [any ExchangeObserver],
        counter: any TokenCounter,
        rateLimits: RateLimits,
        budgets: BudgetLedger,
        alerts: @escaping @Sendable (SpendAlert) -> Void,
        bodies: RecordStage.BodyCapture,
        maximumBodyBytes: Int,
        limits: RequestLimits,
        trips: LimitTrips,
        authenticator: KeyAuthenticator,
        routes: RouteTable,
        upstreams: [String: any Upstream],
        health: UpstreamHealth,
        store: SQLiteStore,
        idempotencyLifetime: Duration,
        clock: KeelClock
    ) -> Pipeline {
        Pipeline(
            stages: [
                RecordStage(observers: observers, bodies: bodies, maximumBodyBytes: maximumBodyBytes),
                AuthenticateStage(authenticator: authenticator),
                ValidateStage(limits: limits, trips: trips),
                IdempotencyStage(store: store, lifetime: idempotencyLifetime, clock: clock),
                RouteStage(routes: routes),
                WorkflowStage(store: store, counter: counter, clock: clock) { request, deployment in
                    guard let upstream = upstreams[deployment.provider] else {
                        throw KeelError(.internalError, "No provider '\(deployment.provider)' for the summarizer '\(deployment.name)'.")
                    }
                    return try await upstream.complete(request.forUpstream(model: deployment.upstreamModel))
                },
                FitContextStage(counter: counter),
                RateLimitStage(limits: rateLimits),
                BudgetStage(ledger: budgets) { alerts(SpendAlert($0)) },
                DegradeStage(cache: ResponseCache(clock: clock), clock: clock),
                AccountUsageStage(counter: counter),
                InferStage(upstreams: upstreams, health: health, clock: clock),
            ],
            clock: clock
        )
    }

    static func makeUpstreams(
        _ providers: [KeelConfiguration.Provider],
        client: UpstreamHTTPClient,
        trips: LimitTrips = LimitTrips(),
        clock: KeelClock
    ) -> [String: any Upstream] {
        var upstreams: [String: any Upstream] = [:]
        for provider in providers {
            let endpoint = HTTPEndpoint(
                name: provider.name,
                baseURL: provider.baseURL ?? "",
                apiKey: provider.apiKey,
                client: client,
                limits: provider.limits,
                trips: trips
            )
            switch provider.kind {
            case .openai:
                upstreams[provider.name] = OpenAIUpstream(endpoint: endpoint, clock: clock)
            case .anthropic:
                upstreams[provider.name] = AnthropicUpstream(endpoint: endpoint, clock: clock)
            case .simulated:
                upstreams[provider.name] = SimulatedUpstream(profile: provider.simulation, clock: clock)
            }
        }
        return upstreams
    }

    /// Histogram buckets suited to model calls: latency from 5 ms to a minute, tokens in powers of four.
    static func makeMetricsFactory(_ registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[GatewayMetrics.operationDuration] = [
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
        ]
        factory.valueHistogramBuckets[GatewayMetrics.tokenUsage] = (0..<12).map { pow(4, Double($0)) }
        factory.valueHistogramBuckets[GatewayMetrics.attemptsPerRequest] = [1, 2, 3, 4, 5, 10, 20]
        return factory
    }

    /// Marks what was running when Keel last stopped as interrupted: workflow steps, and the
    /// idempotency keys they held (free to be retried).
    static func recoverInterrupted(_ store: SQLiteStore, logger: Logger, clock: KeelClock) async throws {
        let steps = try await store.interruptRunningSteps()
        try await store.interruptRunningKeys(now: clock.now())
        if steps > 0 { logger.warning("workflow steps were interrupted by the last stop", metadata: ["steps": "\(steps)"]) }
    }

    /// Loads what each budget's scope has spent in its current window from the request log.
    static func seed(_ ledger: BudgetLedger, from store: SQLiteStore, clock: KeelClock) async throws {
        guard !ledger.budgets.isEmpty else { return }
        let keys = try await store.keys()
        for budget in ledger.budgets {
            let since = budget.window.bounds(of: clock.now()).start
            let spent: Money
            switch budget.scope {
            case .key(let name): spent = try await store.spend(since: since, keyIDs: keys.filter { $0.name == name }.map(\.id), route: nil)
            case .team(let team): spent = try await store.spend(since: since, keyIDs: keys.filter { $0.team == team }.map(\.id), route: nil)
            case .route(let route): spent = try await store.spend(since: since, keyIDs: nil, route: route)
            }
            ledger.seed(budget, spent: spent)
        }
    }

    /// Registers keys provisioned in configuration that the store does not know yet.
    static func provisionKeys(_ keys: [KeelConfiguration.ProvisionedKey], in store: any APIKeyStore, clock: KeelClock) async throws {
        for provisioned in keys {
            let secret = APIKeySecret(value: provisioned.secret)
            if try await store.key(hash: secret.hash) == nil {
                try await store.insert(secret.key(name: provisioned.name, role: provisioned.role, team: provisioned.team, clock: clock))
            }
        }
    }

    /// `keel simulate`: the simulator alone, as an OpenAI-compatible server without keys.
    public static func buildSimulator(
        profile: SimulationProfile,
        host: String,
        port: Int,
        models: [String] = ["sim"],
        logger: Logger = Logger(label: "keel.simulate")
    ) -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: OpenAIErrorMiddleware())
        UpstreamController(upstream: SimulatedUpstream(profile: profile), models: models).addRoutes(to: router.group("v1"))
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "keel-simulator"), logger: logger)
    }
}
