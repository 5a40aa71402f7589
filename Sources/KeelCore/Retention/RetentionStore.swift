import Foundation

/// Storage that enforces retention: it counts and removes a class's data past a date, in a scope.
/// Removing is idempotent, so every replica may purge on its own schedule.
public protocol RetentionStore: Sendable {
    /// How many items of `data` in `scope` are older than `before`, and the oldest item's date.
    func retained(_ data: DataClass, in scope: RetentionScope, before: Date) async throws -> RetainedData
    /// Removes (or, for bodies and metadata, clears) the items of `data` in `scope` older than
    /// `before`; returns how many. Purging the audit trail appends the record that says where the
    /// trail now starts, in the same step.
    func purge(_ data: DataClass, in scope: RetentionScope, before: Date, at now: Date, by actor: String) async throws -> Int
}

/// What a store holds of a class in a scope: how many items are past a period, and the oldest item's date.
public struct RetainedData: Sendable, Hashable {
    public var expired: Int
    public var oldest: Date?

    public init(expired: Int, oldest: Date?) {
        self.expired = expired
        self.oldest = oldest
    }
}
