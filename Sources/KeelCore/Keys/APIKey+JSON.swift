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
            if let problem = Self.problem(withLabel: name) { throw reader.invalid("name", problem) }
            let roleName = try reader.string("role") ?? Role.app.rawValue
            guard let role = Role(rawValue: roleName) else {
                throw reader.invalid("role", "'\(roleName)' is not one of \(Role.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            self.role = role
            team = try reader.string("team")
            if let team, let problem = Self.problem(withLabel: team) { throw reader.invalid("team", problem) }
            expiresIn = try reader.integer("expires_in_days", in: 1...36_500).map { .seconds($0 * 86_400) }
        }

        /// What is wrong with a key's name or team, if anything: they are shown and filtered on,
        /// so 1 to 100 characters and no control characters.
        public static func problem(withLabel label: String) -> String? {
            guard (1...100).contains(label.count) else { return "must be 1 to 100 characters long." }
            guard !label.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                return "must not contain control characters."
            }
            return nil
        }
    }
}
