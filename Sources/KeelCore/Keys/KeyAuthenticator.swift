import Synchronization

/// Checks presented secrets against the key store, remembering keys it has seen so that the
/// request path does not touch storage once a key is known.
public final class KeyAuthenticator: Sendable {
    private let store: any APIKeyStore
    private let known = Mutex<[String: APIKey]>([:])

    public init(store: any APIKeyStore) { self.store = store }

    /// The key for `secret`, or an authentication error in OpenAI's words.
    public func authenticate(_ secret: String?, requiring role: APIKey.Role) async throws -> APIKey {
        guard let secret, !secret.isEmpty else {
            throw KeelError(
                .missingAPIKey,
                "You didn't provide an API key. Provide it in the Authorization header as 'Bearer YOUR_KEY'."
            )
        }
        let hash = APIKeySecret.hash(secret)
        let key: APIKey?
        if let cached = known.withLock({ $0[hash] }) {
            key = cached
        } else {
            key = try await store.key(hash: hash)
            if let key { known.withLock { $0[hash] = key } }
        }
        guard let key, key.revokedAt == nil else {
            throw KeelError(.invalidAPIKey, "Incorrect API key provided: \(Self.redacted(secret)).")
        }
        guard key.allows(role) else {
            throw KeelError(.insufficientRole, "This key has the '\(key.role.rawValue)' role; '\(role.rawValue)' is required.")
        }
        return key
    }

    /// A secret shown in an error without revealing it: `sk-kee****wxyz`.
    static func redacted(_ secret: String) -> String {
        guard secret.count > 10 else { return "****" }
        return "\(secret.prefix(6))****\(secret.suffix(4))"
    }
}
