import Foundation
import KeelCore

/// Dashboard sign-ins: the browser's cookie holds a random secret; Keel stores only its hash, with
/// the key it stands for and when it ends. A session ends at sign-out, at its expiry, and with its
/// key (revoked or expired). Forms that change anything carry a token derived from the secret, which
/// another site cannot read.
public struct DashboardSessions: Sendable {
    public static let cookieName = "keel_session"

    let store: any SessionStore
    let keys: any APIKeyStore
    let lifetime: Duration
    let clock: KeelClock

    public init(store: any SessionStore, keys: any APIKeyStore, lifetime: Duration = .seconds(43_200), clock: KeelClock = .system) {
        self.store = store
        self.keys = keys
        self.lifetime = lifetime
        self.clock = clock
    }

    /// Starts a session for `key`; returns the secret for the cookie.
    public func start(for key: APIKey) async throws -> String {
        let secret = RandomID.make(prefix: "ks_", length: 40)
        let now = clock.now()
        try await store.insert(
            DashboardSession(hash: Digest.sha256Hex(secret), keyID: key.id, createdAt: now, expiresAt: now.addingTimeInterval(lifetime.seconds))
        )
        return secret
    }

    /// Who the cookie's `secret` signs in: its key while the session and the key are both active.
    public func identity(secret: String) async -> Identity {
        do {
            guard let session = try await store.session(hash: Digest.sha256Hex(secret)), session.expiresAt > clock.now(),
                let key = try await keys.key(id: session.keyID), key.isActive(at: clock.now())
            else { return .anonymous }
            return .key(key, session: session)
        } catch {
            return .refused(KeelError(presenting: error))
        }
    }

    /// Ends the session of `secret` (sign-out).
    public func end(secret: String) async throws {
        try await store.delete(hash: Digest.sha256Hex(secret))
    }

    /// The token a session's forms carry: another site can neither read the cookie nor compute it.
    public static func formToken(secret: String) -> String {
        String(Digest.sha256Hex("keel form token\u{0}" + secret).prefix(32))
    }

    /// The cookie's attributes: readable by no script, sent only to the dashboard, never cross-site.
    static func cookie(_ value: String, maxAge: Int) -> String {
        "\(cookieName)=\(value); Path=/dashboard; Max-Age=\(maxAge); HttpOnly; SameSite=Strict"
    }
}
