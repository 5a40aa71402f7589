import Foundation

/// Where API keys are kept.
public protocol APIKeyStore: Sendable {
    func insert(_ key: APIKey) async throws
    /// The key whose secret hashes to `hash`, revoked or not.
    func key(hash: String) async throws -> APIKey?
    func key(id: String) async throws -> APIKey?
    /// The keys of `scope`'s teams, oldest first.
    func keys(in scope: TeamScope) async throws -> [APIKey]
    /// Marks the key revoked at `now`; `false` when there is no such key or it was revoked already.
    func revoke(id: String, at now: Date) async throws -> Bool
}
