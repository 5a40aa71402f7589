import Foundation

/// A newly issued secret: shown to its owner once, stored only as ``hash``.
public struct APIKeySecret: Sendable {
    public let value: String

    /// A fresh secret: `sk-keel-` and 40 base62 characters (about 238 bits) from the secure generator.
    public static func generate() -> APIKeySecret { APIKeySecret(value: RandomID.make(prefix: "sk-keel-", length: 40)) }

    public init(value: String) { self.value = value }

    /// The stored form: hex SHA-256. Secrets are long random strings, so a fast hash is safe.
    public var hash: String { Self.hash(value) }
    public var prefix: String { String(value.prefix(12)) }

    public static func hash(_ secret: String) -> String { Digest.sha256Hex(secret) }

    /// A key record for this secret.
    public func key(name: String, role: APIKey.Role, team: String? = nil, expiresAt: Date? = nil, clock: KeelClock = .system) -> APIKey {
        APIKey(
            id: RandomID.make(prefix: "key_", length: 16),
            name: name,
            role: role,
            prefix: prefix,
            hash: hash,
            team: team,
            createdAt: clock.now(),
            expiresAt: expiresAt
        )
    }
}
