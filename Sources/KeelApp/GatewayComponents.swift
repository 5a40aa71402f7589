import Foundation
import KeelCore
import KeelStore
import KeelTokenizer
import Logging

/// What the request path is built from: the storage every replica shares, the upstreams, and the
/// policies read from configuration. `keel serve`, `keel rehearse` and the tests make one with
/// ``Gateway/makeComponents(configuration:storage:upstreams:observers:replica:clock:logger:)`` and
/// build the pipeline from it with ``Gateway/makePipeline(_:)``: one list of stages for all.
public struct GatewayComponents: Sendable {
    public var configuration: KeelConfiguration
    public var storage: KeelStorage
    public var upstreams: [String: any Upstream]
    public var observers: [any ExchangeObserver]
    public var routes: RouteTable
    public var health: UpstreamHealth
    public var budgets: BudgetLedger
    public var rateLimits: RateLimits
    public var authenticator: KeyAuthenticator
    public var prompts: PromptCatalog
    public var counter: any TokenCounter
    public var trips: LimitTrips
    /// This process's replica id, whose lease covers its work in flight.
    public var replica: String
    public var clock: KeelClock
    /// Where spend alerts go.
    public var alerts: @Sendable (SpendAlert) -> Void
    /// Whether bodies are captured for the observers (the log keeps them only when configured).
    public var bodies: RecordStage.BodyCapture
}

extension Gateway {
    /// The components of a gateway on `storage` and `upstreams`, everything else read from `configuration`.
    public static func makeComponents(
        configuration: KeelConfiguration,
        storage: KeelStorage,
        upstreams: [String: any Upstream],
        observers: [any ExchangeObserver],
        replica: String = ReplicaLease.makeID(),
        trips: LimitTrips = LimitTrips(),
        bodies: RecordStage.BodyCapture? = nil,
        clock: KeelClock = .system,
        logger: Logger = Logger(label: "keel"),
        alerts: @escaping @Sendable (SpendAlert) -> Void = { _ in }
    ) throws -> GatewayComponents {
        let started = Int(clock.now().timeIntervalSince1970)
        let routes = RouteTable(
            configuration.routes.map { route in
                var route = route
                route.created = started
                return route
            }
        )
        let health = UpstreamHealth(deployments: configuration.models, breaker: configuration.circuitBreaker, clock: clock) { deployment, change in
            logger.warning(
                "circuit breaker changed state",
                metadata: ["deployment": "\(deployment.name)", "from": "\(change.from.rawValue)", "to": "\(change.to.rawValue)"]
            )
        }
        let ledger = BudgetLedger(budgets: configuration.budgets, store: storage.budgets, replica: replica, clock: clock) { budget, since in
            try await openingSpend(of: budget, since: since, in: storage)
        }
        return GatewayComponents(
            configuration: configuration,
            storage: storage,
            upstreams: upstreams,
            observers: observers,
            routes: routes,
            health: health,
            budgets: ledger,
            rateLimits: RateLimits(defaultLimit: configuration.defaultRateLimit, byKeyName: configuration.rateLimits, clock: clock),
            authenticator: KeyAuthenticator(store: storage.keys, clock: clock),
            prompts: PromptCatalog(store: storage.prompts, clock: clock),
            counter: try ChatTokenCounter(deployments: configuration.models),
            trips: trips,
            replica: replica,
            clock: clock,
            alerts: alerts,
            bodies: bodies ?? configuration.log.bodies
        )
    }

    /// The request path, stage by stage. A new stage is one type and one line here.
    public static func makePipeline(_ components: GatewayComponents) -> Pipeline {
        let configuration = components.configuration
        let storage = components.storage
        let upstreams = components.upstreams
        let clock = components.clock
        let handle = PipelineHandle()
        let pipeline = Pipeline(
            stages: [
                RecordStage(observers: components.observers, bodies: components.bodies, maximumBodyBytes: configuration.log.maximumBodyBytes),
                AuthenticateStage(authenticator: components.authenticator),
                ValidateStage(limits: configuration.limits, trips: components.trips),
                // Before idempotency, so that a replay is logged under its route and its PII policy.
                RouteStage(routes: components.routes),
                IdempotencyStage(
                    store: storage.idempotency,
                    lifetime: configuration.idempotencyLifetime,
                    replica: components.replica,
                    maximumWait: configuration.idempotencyWait,
                    clock: clock
                ),
                ContractStage(store: storage.quarantine, clock: clock),
                RiskStage(reviews: storage.reviews, clock: clock, pipeline: handle),
                ResponsesStage(store: storage.responses),
                WorkflowStage(store: storage.workflows, counter: components.counter, replica: components.replica, clock: clock) {
                    request,
                    deployment in
                    guard let upstream = upstreams[deployment.provider] else {
                        throw KeelError(.internalError, "No provider '\(deployment.provider)' for the summarizer '\(deployment.name)'.")
                    }
                    return try await upstream.complete(request.forUpstream(model: deployment.upstreamModel))
                },
                PromptStage(catalog: components.prompts),
                PIIStage(),
                ContentSignalsStage(),
                FitContextStage(counter: components.counter),
                RateLimitStage(limits: components.rateLimits),
                BudgetStage(ledger: components.budgets) { [alerts = components.alerts] in alerts(SpendAlert($0)) },
                DegradeStage(cache: ResponseCache(clock: clock), clock: clock),
                AccountUsageStage(counter: components.counter),
                InferStage(upstreams: upstreams, health: components.health, clock: clock),
            ],
            clock: clock
        )
        handle.attach(pipeline)
        return pipeline
    }

    /// What the request log says `budget`'s scope spent since `since`: the opening spend of its account.
    static func openingSpend(of budget: Budget, since: Date, in storage: KeelStorage) async throws -> Money {
        switch budget.scope {
        case .key(let name):
            let keys = try await storage.keys.keys(in: .all).filter { $0.name == name }
            return try await storage.log.spend(since: since, keyIDs: keys.map(\.id), route: nil)
        case .team(let team):
            let keys = try await storage.keys.keys(in: .team(team))
            return try await storage.log.spend(since: since, keyIDs: keys.map(\.id), route: nil)
        case .route(let route):
            return try await storage.log.spend(since: since, keyIDs: nil, route: route)
        }
    }
}
