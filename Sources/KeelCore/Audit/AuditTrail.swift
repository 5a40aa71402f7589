import Crypto
import Foundation

/// Where Keel's accountable actions are recorded: configuration loaded, keys created and revoked,
/// prompt labels moved and refused, review decisions and contests, sign-ins, purges and subject
/// deletions. Each is appended to the chain every replica shares, after the action it records.
public struct AuditTrail: Sendable {
    public let store: any AuditStore
    private let clock: KeelClock

    public init(store: any AuditStore, clock: KeelClock = .system) {
        self.store = store
        self.clock = clock
    }

    /// Appends `event` to the chain.
    @discardableResult
    public func record(_ event: AuditEvent) async throws -> AuditRecord { try await store.appendAudit(event, at: clock.now()) }

    /// Appends `events` to the chain, in order, in one step.
    public func record(_ events: [AuditEvent]) async throws { try await store.appendAudit(events, at: clock.now()) }

    /// Notes the chain's head in a checkpoint signed with `secret`, if the head moved since the last one.
    @discardableResult
    public func checkpoint(signedWith secret: String?) async throws -> AuditCheckpoint? {
        let key = secret.map(SymmetricKey.init(secret:))
        guard let head = try await store.lastAuditRecord() else { return nil }
        if let last = try await store.lastAuditCheckpoint(), last.sequence >= head.sequence { return nil }
        let checkpoint = AuditCheckpoint(of: head, at: clock.now(), key: key)
        try await store.saveAuditCheckpoint(checkpoint)
        return checkpoint
    }
}

extension SymmetricKey {
    /// The key a configured secret names: its UTF-8 bytes.
    init(secret: String) { self.init(data: Data(secret.utf8)) }
}
