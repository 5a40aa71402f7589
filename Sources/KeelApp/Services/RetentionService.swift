import Foundation
import KeelCore
import Logging
import ServiceLifecycle

/// Enforces the retention periods: every interval (first soon after start) this replica purges
/// what is past its period. Purges are idempotent, so every replica runs its own; what one
/// removed the others find gone.
final class RetentionService: Service {
    private let purge: RetentionPurge
    private let interval: Duration
    private let replica: String
    private let logger: Logger

    init(purge: RetentionPurge, interval: Duration, replica: String, logger: Logger) {
        self.purge = purge
        self.interval = interval
        self.replica = replica
        self.logger = logger
    }

    func run() async throws {
        // A service that returns ends the server: with nothing to purge, this one waits for the end.
        guard !purge.policy.rules.isEmpty else { return try await gracefulShutdown() }
        var wait = Duration.seconds(5)
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            let pause = wait
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
            guard !Task.isShuttingDownGracefully else { return }
            wait = interval
            do {
                for outcome in try await purge.run(by: replica) where outcome.removed > 0 {
                    logger.info(
                        "retention purged",
                        metadata: ["class": "\(outcome.data.rawValue)", "scope": "\(outcome.scope)", "removed": "\(outcome.removed)"]
                    )
                }
            } catch {
                logger.error("retention purge failed; will retry", metadata: ["error": "\(error)"])
            }
        }
    }
}
