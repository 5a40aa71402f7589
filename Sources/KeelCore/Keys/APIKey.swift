import Foundation

/// A client's key as Keel stores it: never the secret, only its hash.
public struct APIKey: Sendable, Hashable {
    /// What a key may do: `app` keys call `/v1`; `viewer` keys read Keel (the admin API's reports
    /// and logs, the dashboard) and change nothing; `admin` keys do everything.
    public enum Role: String, Sendable, Hashable, CaseIterable {
        case app, viewer, admin
    }

    public var id: String
    public var name: String
    public var role: Role
    /// The first characters of the secret, to recognise a key in lists.
    public var prefix: String
    /// SHA-256 of the secret, hex.
    public var hash: String
    /// The team the key belongs to, for budgets and cost reports.
    public var team: String?
    public var createdAt: Date
    public var revokedAt: Date?

    public init(id: String, name: String, role: Role, prefix: String, hash: String, team: String? = nil, createdAt: Date, revokedAt: Date? = nil) {
        self.id = id
        self.name = name
        self.role = role
        self.prefix = prefix
        self.hash = hash
        self.team = team
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    public func allows(_ required: Role) -> Bool { role == .admin || role == required }
}
