import Foundation
import KeelCore
import Logging

/// Every storage port Keel uses, opened together from configuration: what `keel serve`, `keel
/// demo`, `keel rehearse`, the command line and the tests all run on.
public struct KeelStorage: Sendable {
    public var keys: any APIKeyStore
    public var log: any RequestLogStore
    public var traffic: any TrafficStore
    public var costs: any CostStore
    public var idempotency: any IdempotencyStore
    public var workflows: any WorkflowStore
    public var budgets: any BudgetStore
    public var rateLimits: any RateLimitStore
    public var sessions: any SessionStore
    public var replicas: any ReplicaStore
    public var schema: any SchemaStore
    public var prompts: any PromptStore
    public var datasets: any DatasetStore
    public var evaluations: any EvaluationStore
    public var feedback: any FeedbackStore
    public var drift: any DriftStore
    public var quarantine: any QuarantineStore
    public var reviews: any ReviewStore
    public var audit: any AuditStore
    public var retention: any RetentionStore
    public var subjects: any SubjectStore
    public var responses: any ResponseStore
    /// What the storage is, for logs: `SQLite at .keel/keel.sqlite`, `PostgreSQL at db:5432/keel`.
    public var description: String
    private let closer: @Sendable () async -> Void

    /// One store that is every port.
    init<
        Store: APIKeyStore & RequestLogStore & TrafficStore & CostStore & IdempotencyStore & WorkflowStore & BudgetStore
            & RateLimitStore & SessionStore & ReplicaStore & SchemaStore & PromptStore
            & DatasetStore & EvaluationStore & FeedbackStore & DriftStore & QuarantineStore & ReviewStore & AuditStore
            & RetentionStore & SubjectStore & ResponseStore
    >(
        _ store: Store,
        description: String,
        close: @escaping @Sendable () async -> Void = {}
    ) {
        self.keys = store
        self.log = store
        self.traffic = store
        self.costs = store
        self.idempotency = store
        self.workflows = store
        self.budgets = store
        self.rateLimits = store
        self.sessions = store
        self.replicas = store
        self.schema = store
        self.prompts = store
        self.datasets = store
        self.evaluations = store
        self.feedback = store
        self.drift = store
        self.quarantine = store
        self.reviews = store
        self.audit = store
        self.retention = store
        self.subjects = store
        self.responses = store
        self.description = description
        self.closer = close
    }

    /// Opens the storage `configuration` names, bringing its schema up to date.
    public static func open(_ configuration: StorageConfiguration, logger: Logger = Logger(label: "keel.storage")) async throws -> KeelStorage {
        switch configuration {
        case .sqlite(let path):
            // Opening the file and migrating it block: done on a thread of its own, not the cooperative pool's.
            let store = try await withCheckedThrowingContinuation { continuation in
                DispatchQueue.global().async { continuation.resume(with: Result { try SQLiteStore(path: path) }) }
            }
            return KeelStorage(store, description: "SQLite at \(path)")
        case .postgres(let url, let poolSize):
            let store = try await PostgresStore.open(url: url, poolSize: poolSize, logger: logger)
            return KeelStorage(store, description: "PostgreSQL at \(store.location)") { await store.close() }
        }
    }

    /// Runs `body` with the storage `configuration` names, closing it after.
    public static func with<T>(
        _ configuration: StorageConfiguration,
        logger: Logger = Logger(label: "keel.storage"),
        _ body: (KeelStorage) async throws -> T
    ) async throws -> T {
        let storage = try await open(configuration, logger: logger)
        do {
            let result = try await body(storage)
            await storage.close()
            return result
        } catch {
            await storage.close()
            throw error
        }
    }

    /// Closes the storage's connections.
    public func close() async { await closer() }

    /// Revokes the key `id` at `now` and ends its dashboard sessions; `false` when it was not active.
    public func revokeKey(id: String, at now: Date) async throws -> Bool {
        let revoked = try await keys.revoke(id: id, at: now)
        try await sessions.deleteSessions(of: id)
        return revoked
    }
}
