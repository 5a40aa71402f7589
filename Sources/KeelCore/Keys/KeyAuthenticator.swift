import Foundation
import Synchronization

/// Checks presented secrets against the key store. A key read from storage is trusted for
/// ``revalidateAfter`` and then read again, so that the request path rarely touches storage and a
/// key revoked or expired — on any replica — is refused everywhere within that time.
public final class KeyAuthenticator: Sendable {
    private struct Known {
        var key: APIKey?
        var checkedAt: Duration
    }

    private let store: any APIKeyStore
    private let clock: KeelClock
    /// How long a key read from storage is trusted before it is read again.
    public let revalidateAfter: Duration
    private let byHash = Mutex<[String: Known]>([:])

    public init(store: any APIKeyStore, clock: KeelClock = .system, revalidateAfter: Duration = .seconds(2)) {
        self.store = store
        self.clock = clock
        self.revalidateAfter = revalidateAfter
    }

    /// The active key for `secret`, or an authentication error in OpenAI's words.
    public func authenticate(_ secret: String?) async throws -> APIKey {
        guard let secret, !secret.isEmpty else {
            throw KeelError(
                .missingAPIKey,
                "You didn't provide an API key. Provide it in the Authorization header as 'Bearer YOUR_KEY'."
            )
        }
        guard let key = try await activeKey(hash: APIKeySecret.hash(secret)) else {
            throw KeelError(.invalidAPIKey, "Incorrect API key provided: \(Self.redacted(secret)).")
        }
        return key
    }

    /// The active key for `secret` if it has `permission`, or the error that says why not.
    public func authenticate(_ secret: String?, requiring permission: APIKey.Permission) async throws -> APIKey {
        let key = try await authenticate(secret)
        try Self.require(permission, of: key)
        return key
    }

    /// Refuses `key` when its role lacks `permission`.
    public static func require(_ permission: APIKey.Permission, of key: APIKey) throws(KeelError) {
        guard key.allows(permission) else {
            throw KeelError(.insufficientRole, "This key has the '\(key.role.rawValue)' role, which may not \(permission.phrase).")
        }
    }

    /// The key whose secret hashes to `hash`, when it is active now.
    public func activeKey(hash: String) async throws -> APIKey? {
        let now = clock.uptime()
        let cached = byHash.withLock { $0[hash] }
        let key: APIKey?
        if let cached, now - cached.checkedAt < revalidateAfter {
            key = cached.key
        } else {
            key = try await store.key(hash: hash)
            byHash.withLock { $0[hash] = Known(key: key, checkedAt: now) }
        }
        guard let key, key.isActive(at: clock.now()) else { return nil }
        return key
    }

    /// Forgets what is known of the key with `hash`, so that the next use reads it again.
    public func forget(hash: String) {
        _ = byHash.withLock { $0.removeValue(forKey: hash) }
    }

    /// A secret shown in an error without revealing it: `sk-kee****wxyz`.
    static func redacted(_ secret: String) -> String {
        guard secret.count > 10 else { return "****" }
        return "\(secret.prefix(6))****\(secret.suffix(4))"
    }
}

extension APIKey.Permission {
    /// What the permission lets a key do, for refusals.
    public var phrase: String {
        switch self {
        case .callModels: "call models"
        case .completeOwnWorkflows: "complete workflows"
        case .read: "read Keel's reports"
        case .review: "decide reviews"
        case .operate: "operate its team's workflows, prompts and evaluations"
        case .readMetrics: "read metrics"
        case .administer: "administer keys and teams"
        }
    }
}
