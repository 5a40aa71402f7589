import Foundation
import KeelCore
import Synchronization

/// Keys in memory; counts look-ups so that tests can see the cache at work.
public final class InMemoryAPIKeyStore: APIKeyStore {
    private let stored = Mutex<[APIKey]>([])
    private let lookups = Atomic<Int>(0)

    public init() {}

    public func insert(_ key: APIKey) async throws { stored.withLock { $0.append(key) } }

    public func key(hash: String) async throws -> APIKey? {
        lookups.add(1, ordering: .relaxed)
        return stored.withLock { $0.first { $0.hash == hash } }
    }

    public func key(id: String) async throws -> APIKey? { stored.withLock { $0.first { $0.id == id } } }

    public func keys(in scope: TeamScope) async throws -> [APIKey] { stored.withLock { $0.filter { scope.includes($0.team) } } }

    public func revoke(id: String, at now: Date) async throws -> Bool {
        stored.withLock { keys in
            guard let index = keys.firstIndex(where: { $0.id == id && $0.revokedAt == nil }) else { return false }
            keys[index].revokedAt = now
            return true
        }
    }

    public var lookupCount: Int { lookups.load(ordering: .relaxed) }

    /// Creates and stores a key, returning its secret.
    public func issue(name: String = "test", role: APIKey.Role = .app) async throws -> String {
        let secret = APIKeySecret.generate()
        try await insert(secret.key(name: name, role: role))
        return secret.value
    }
}
