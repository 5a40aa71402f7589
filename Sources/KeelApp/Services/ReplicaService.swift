import Foundation
import KeelCore
import KeelStore
import Logging
import ServiceLifecycle

/// Keeps this replica's lease on its work in flight, and takes back the work of replicas whose lease
/// expired: their running workflow steps are interrupted (a retry runs them again), the idempotency
/// keys they held are freed, and their budget reservations released. A replica's restart never
/// touches another's work — only an expired lease does, whichever replica notices it first. At a
/// graceful stop, once the server has drained, the replica gives its lease up.
struct ReplicaService: Service {
    let lease: ReplicaLease
    let leaseDuration: Duration
    let storage: KeelStorage
    let clock: KeelClock
    let logger: Logger

    /// Starts `id`'s lease now; the service renews it.
    static func start(id: String, leaseDuration: Duration, storage: KeelStorage, clock: KeelClock, logger: Logger) async throws -> ReplicaService {
        let now = clock.now()
        let lease = ReplicaLease(
            id: id,
            host: ProcessInfo.processInfo.hostName,
            processID: Int(ProcessInfo.processInfo.processIdentifier),
            startedAt: now,
            expiresAt: now.addingTimeInterval(leaseDuration.seconds)
        )
        try await storage.replicas.renew(lease)
        return ReplicaService(lease: lease, leaseDuration: leaseDuration, storage: storage, clock: clock, logger: logger)
    }

    func run() async throws {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                try await renewAndRecover()
            } catch {
                logger.error("replica lease could not be renewed", metadata: ["replica": "\(lease.id)", "error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: leaseDuration / 4) }
        }
        try? await storage.replicas.remove(lease.id)
    }

    /// Renews this replica's lease and recovers every expired one.
    func renewAndRecover() async throws {
        let now = clock.now()
        var renewed = lease
        renewed.expiresAt = now.addingTimeInterval(leaseDuration.seconds)
        try await storage.replicas.renew(renewed)
        for replica in try await storage.replicas.expired(at: now) where replica != lease.id {
            let steps = try await storage.workflows.interruptSteps(of: replica)
            try await storage.idempotency.interruptKeys(of: replica, now: now)
            let reservations = try await storage.budgets.releaseReservations(of: replica)
            try await storage.replicas.remove(replica)
            logger.warning(
                "took back the work of a replica whose lease expired",
                metadata: ["replica": "\(replica)", "interrupted_steps": "\(steps)", "released_reservations": "\(reservations)"]
            )
        }
        try await storage.sessions.deleteExpired(before: now)
    }
}

/// Shares what this replica's rate limits admitted with the other replicas, every `interval`.
struct RateLimitSync: Service {
    let limits: RateLimits
    let store: any RateLimitStore
    let replica: String
    var interval: Duration = .milliseconds(250)
    let logger: Logger

    func run() async throws {
        // A service that returns ends the group: with nothing to share, wait for the shutdown.
        guard !limits.isEmpty else { return try await gracefulShutdown() }
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                try await limits.sync(with: store, replica: replica)
            } catch {
                logger.warning("rate limits could not be shared with the other replicas", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
