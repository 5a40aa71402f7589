import Foundation

extension APIKey {
    /// The key as the API and `keel keys list --json` show it: never its hash, let alone its secret.
    public var json: JSONValue {
        [
            "id": .string(id), "object": "api_key", "name": .string(name), "role": .string(role.rawValue), "prefix": .string(prefix),
            "team": JSONValue(team), "created_at": .string(ISO8601DateFormatter.keel.string(from: createdAt)),
            "revoked_at": revokedAt.map { .string(ISO8601DateFormatter.keel.string(from: $0)) } ?? .null,
            "expires_at": expiresAt.map { .string(ISO8601DateFormatter.keel.string(from: $0)) } ?? .null,
        ]
    }

    /// What a new key is to be: `{"name", "role", "team", "expires_in_days"}`.
    public struct Specification: Sendable, Hashable {
        public var name: String
        public var role: Role
        public var team: String?
        public var expiresIn: Duration?

        public init(json value: JSONValue) throws(KeelError) {
            let reader = try FieldReader(body: value)
            name = try reader.required("name", "a string") { $0.stringValue }
            guard !name.isEmpty else { throw reader.invalid("name", "must not be empty.") }
            let roleName = try reader.string("role") ?? Role.app.rawValue
            guard let role = Role(rawValue: roleName) else {
                throw reader.invalid("role", "'\(roleName)' is not one of \(Role.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            self.role = role
            team = try reader.string("team")
            expiresIn = try reader.integer("expires_in_days", in: 1...36_500).map { .seconds($0 * 86_400) }
        }
    }
}
