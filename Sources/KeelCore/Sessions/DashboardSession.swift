import Foundation

/// A signed-in dashboard session: the browser holds a random secret in its cookie, Keel keeps
/// only the secret's hash, the key it stands for and when it ends.
public struct DashboardSession: Sendable, Hashable {
    /// SHA-256 of the cookie's secret, hex.
    public var hash: String
    public var keyID: String
    public var createdAt: Date
    public var expiresAt: Date

    public init(hash: String, keyID: String, createdAt: Date, expiresAt: Date) {
        self.hash = hash
        self.keyID = keyID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// Where dashboard sessions are kept (so that any replica knows them).
public protocol SessionStore: Sendable {
    func insert(_ session: DashboardSession) async throws
    func session(hash: String) async throws -> DashboardSession?
    /// Ends one session (sign-out).
    func delete(hash: String) async throws
    /// Ends every session of a key (its revocation).
    func deleteSessions(of keyID: String) async throws
    /// Forgets sessions that ended before `now`.
    func deleteExpired(before now: Date) async throws
}
