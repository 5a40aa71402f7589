import Foundation

/// One versioned change of a store's schema and whether it has been applied.
public struct SchemaMigration: Sendable, Hashable {
    public var name: String
    public var applied: Bool
    /// When it was applied, where the store records it.
    public var appliedAt: Date?

    public init(name: String, applied: Bool, appliedAt: Date? = nil) {
        self.name = name
        self.applied = applied
        self.appliedAt = appliedAt
    }
}

/// A store whose schema is brought up to date by versioned migrations.
public protocol SchemaStore: Sendable {
    /// Every migration the store knows, in order, with when each was applied.
    func migrations() async throws -> [SchemaMigration]
}
