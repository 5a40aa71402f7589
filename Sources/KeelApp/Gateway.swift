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
    /// The one wiring function: what `keel serve`, `keel demo` and the tests all run. `routes` is
    /// told every route the server registers, with the access each requires.
    public static func buildApplication(
        configuration: KeelConfiguration,
        logger: Logger = Logger(label: "keel"),
        clock: KeelClock = .system,
        routes announce: @Sendable ([KeelRoutes.Entry]) -> Void = { _ in }
    ) async throws -> some ApplicationProtocol {
        let storage = try await KeelStorage.open(configuration.storage, logger: logger)
        let audit = AuditTrail(store: storage.audit, clock: clock)
        let replica: ReplicaService
        do {
            try await provisionKeys(configuration.keys, in: storage.keys, audit: audit, clock: clock)
            replica = try await ReplicaService.start(
                id: ReplicaLease.makeID(),
                leaseDuration: configuration.replicas.leaseDuration,
                storage: storage,
                clock: clock,
                logger: logger
            )
        } catch {
            await storage.close()
            throw error
        }
        logger.info("replica started", metadata: ["replica": "\(replica.lease.id)", "storage": "\(storage.description)"])
        try await audit.record(
            AuditEvent("configuration_loaded", actor: replica.lease.id, details: JSONObject([("sha256", JSONValue(configuration.sourceHash))]))
        )
        let client = HTTPClientService.makeClient(for: configuration.providers)
        let registry = PrometheusCollectorRegistry()
        let metrics: any MetricsFactory = configuration.metricsEnabled ? makeMetricsFactory(registry) : NOOPMetricsHandler.instance
        let trips = LimitTrips(factory: metrics)
        let logWriter = RequestLogWriter(store: storage.log, audit: audit, keepsBodies: configuration.log.bodies == .full, logger: logger)
        let tracing = try TracingService.make(configuration.tracing, logger: logger)
        let alerts = AlertService(configuration: configuration.alerts, costs: storage.costs, client: client.client, clock: clock, logger: logger)
        let driftMonitors = Dictionary(uniqueKeysWithValues: configuration.routes.compactMap { route in route.drift.map { (route.name, $0) } })
        let driftRollup = DriftRollup(monitors: driftMonitors, clock: clock)
        let driftReports = DriftReports(store: storage.drift, monitors: driftMonitors, evaluations: storage.evaluations, log: storage.log)
        let drift = DriftService(
            rollup: driftRollup,
            reports: driftReports,
            replica: replica.lease.id,
            clock: clock,
            logger: logger,
            alert: alerts.raise
        )
        let components = try makeComponents(
            configuration: configuration,
            storage: storage,
            upstreams: makeUpstreams(configuration.providers, client: client, trips: trips, clock: clock),
            observers: [logWriter] + (configuration.metricsEnabled ? [GatewayMetrics(factory: metrics)] : []) + (tracing.map { [$0.observer] } ?? [])
                + (driftRollup.isEmpty ? [] : [driftRollup]),
            replica: replica.lease.id,
            trips: trips,
            // Tracing with content needs the bodies too; the log writes them only if it keeps them.
            bodies: configuration.log.bodies == .full || (tracing != nil && configuration.tracing.content) ? .full : RecordStage.BodyCapture.none,
            clock: clock,
            logger: logger,
            alerts: alerts.raise
        )
        let pipeline = makePipeline(components)

        let disconnects = ClientDisconnects()
        let router = Router(context: KeelRequestContext.self)
        router.add(middleware: APIErrorMiddleware())
        let sessions = DashboardSessions(store: storage.sessions, keys: storage.keys, clock: clock)
        router.add(middleware: AuthenticationMiddleware(authenticator: components.authenticator, sessions: sessions))
        let keelRoutes = KeelRoutes(router: router)
        GatewayController(
            pipeline: pipeline,
            routes: components.routes,
            counter: components.counter,
            disconnects: disconnects,
            maximumBodySize: configuration.server.maximumBodySize,
            trips: trips
        )
        .addRoutes(to: keelRoutes)
        ResponsesController(store: storage.responses).addRoutes(to: keelRoutes)
        AdminController(
            log: storage.log,
            costs: storage.costs,
            keys: storage.keys,
            sessions: storage.sessions,
            authenticator: components.authenticator,
            health: components.health,
            audit: audit,
            clock: clock
        )
        .addRoutes(to: keelRoutes)
        let workflows = WorkflowReporter(store: storage.workflows, idleTime: configuration.workflowIdleTime, clock: clock)
        WorkflowController(reporter: workflows).addRoutes(to: keelRoutes)
        PromptController(registry: promptRegistry(storage, clock: clock)).addRoutes(to: keelRoutes)
        DriftController(reports: driftReports).addRoutes(to: keelRoutes)
        let readiness = Readiness(configuration: configuration, storage: storage, clock: clock)
        ReadinessController { route in
            guard let route else { return try await readiness.reports() }
            return [try await readiness.report(route: route)]
        }
        .addRoutes(to: keelRoutes)
        let evaluationReports = EvaluationReports(evaluations: storage.evaluations, datasets: storage.datasets)
        EvaluationController(
            reports: evaluationReports,
            feedback: storage.feedback,
            log: storage.log,
            flushLog: { await logWriter.flush() },
            clock: clock
        )
        .addRoutes(to: keelRoutes)
        let reviewQueue = ReviewQueue(
            store: storage.reviews,
            log: storage.log,
            routes: Dictionary(uniqueKeysWithValues: configuration.routes.compactMap { route in route.review.map { (route.name, $0) } }),
            audit: audit,
            clock: clock
        )
        ReviewController(queue: reviewQueue, flushLog: { await logWriter.flush() }, clock: clock).addRoutes(to: keelRoutes)
        DashboardController(
            log: storage.log,
            traffic: storage.traffic,
            routes: components.routes,
            health: components.health,
            budgets: components.budgets,
            workflows: workflows,
            sessions: sessions,
            authenticator: components.authenticator,
            evaluations: evaluationReports,
            reviews: reviewQueue,
            backlog: logWriter,
            audit: audit,
            clock: clock
        )
        .addRoutes(to: keelRoutes)
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
            MetricsController(
                registry: registry,
                health: components.health,
                budgets: components.budgets,
                workflows: workflows,
                log: logWriter,
                connections: connections,
                drift: drift
            )
            .addRoutes(to: keelRoutes, open: configuration.metricsOpen)
        }
        keelRoutes.get("/healthz", access: .open) { _, _ in Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "ok"))) }
        announce(keelRoutes.entries)

        // Shut down in reverse: the server first (draining requests), then what they fed — the log,
        // alerts, spans, the lease — then the clients those need, and the storage last.
        let services: [any Service] =
            [StorageService(storage: storage), HTTPClientService(upstreams: client)] + (tracing?.services ?? [])
            + [
                logWriter, alerts, replica, drift,
                ReviewService(
                    store: storage.reviews,
                    routes: configuration.routes,
                    client: client.client,
                    clock: clock,
                    logger: logger,
                    alert: alerts.raise
                ),
                AuditService(trail: audit, configuration: configuration.audit, logger: logger),
                RetentionService(
                    purge: RetentionPurge(policy: configuration.retentionPolicy, store: storage.retention, audit: audit, clock: clock),
                    interval: configuration.retention.interval,
                    replica: replica.lease.id,
                    logger: logger
                ),
                RateLimitSync(limits: components.rateLimits, store: storage.rateLimits, replica: replica.lease.id, logger: logger),
                MemoryTrimmer(connections: connections, logger: logger),
            ]
        return Application(
            router: router,
            server: .guardedHTTP1(connections, configuration: .init(additionalChannelHandlers: [disconnects.watcher()])),
            configuration: .init(address: .hostname(configuration.server.host, port: configuration.server.port), serverName: "keel"),
            services: services,
            logger: logger
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

    /// Registers keys provisioned in configuration that the store does not know yet.
    static func provisionKeys(_ keys: [KeelConfiguration.ProvisionedKey], in store: any APIKeyStore, audit: AuditTrail, clock: KeelClock) async throws
    {
        for provisioned in keys {
            let secret = APIKeySecret(value: provisioned.secret)
            guard try await store.key(hash: secret.hash) == nil else { continue }
            do {
                let key = secret.key(name: provisioned.name, role: provisioned.role, team: provisioned.team, clock: clock)
                try await store.insert(key)
                try await audit.record(.keyCreated(key, by: "configuration"))
            } catch {
                // Another replica starting at the same moment may have provisioned it first.
                guard try await store.key(hash: secret.hash) != nil else { throw error }
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
        router.add(middleware: APIErrorMiddleware())
        UpstreamController(upstream: SimulatedUpstream(profile: profile), models: models).addRoutes(to: router.group("v1"))
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "keel-simulator"), logger: logger)
    }
}
