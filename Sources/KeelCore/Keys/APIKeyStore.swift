/// Where API keys are kept.
public protocol APIKeyStore: Sendable {
    func insert(_ key: APIKey) async throws
    /// The key whose secret hashes to `hash`, revoked or not.
    func key(hash: String) async throws -> APIKey?
    func keys() async throws -> [APIKey]
}
