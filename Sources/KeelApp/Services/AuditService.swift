import Foundation
import KeelCore
import Logging
import ServiceLifecycle

/// Checkpoints the audit trail: every interval, and on the way out, the chain's head is noted and
/// signed with the configured key, and the checkpoint written to the log too — a copy outside
/// the database, so that cutting the trail and its checkpoints together is found as well.
final class AuditService: Service {
    private let trail: AuditTrail
    private let secret: String?
    private let interval: Duration
    private let logger: Logger

    init(trail: AuditTrail, configuration: KeelConfiguration.Audit, logger: Logger) {
        self.trail = trail
        self.secret = configuration.signingKey
        self.interval = configuration.checkpointInterval
        self.logger = logger
        if configuration.signingKey == nil {
            logger.warning("audit checkpoints are unsigned: set audit.signing_key_env to detect a trail cut with its checkpoints")
        }
    }

    func run() async throws {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
            await checkpoint()
        }
    }

    private func checkpoint() async {
        do {
            guard let checkpoint = try await trail.checkpoint(signedWith: secret) else { return }
            logger.info(
                "audit checkpoint",
                metadata: ["sequence": "\(checkpoint.sequence)", "hash": "\(checkpoint.hash)", "signed": "\(checkpoint.signature != nil)"]
            )
        } catch {
            logger.error("audit checkpoint failed", metadata: ["error": "\(error)"])
        }
    }
}
