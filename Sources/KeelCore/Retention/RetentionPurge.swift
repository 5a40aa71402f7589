import Foundation

/// Runs a retention policy against a store: every rule's purge, audited (`retention_purged`),
/// and the status `keel retention status` prints.
public struct RetentionPurge: Sendable {
    public struct Line: Sendable {
        public var data: DataClass
        public var scope: RetentionScope
        public var period: TimeInterval
        public var retained: RetainedData

        public var json: JSONObject {
            JSONObject([
                ("class", .string(data.rawValue)), ("scope", .string(scope.description)), ("route", JSONValue(scope.route)),
                ("period_days", .double(period / 86_400)), ("expired", JSONValue(retained.expired)),
                ("oldest", JSONValue(retained.oldest.map { ISO8601DateFormatter.keel.string(from: $0) })),
            ])
        }
    }

    public let policy: RetentionPolicy
    public let store: any RetentionStore
    public let audit: AuditTrail?
    public let clock: KeelClock

    public init(policy: RetentionPolicy, store: any RetentionStore, audit: AuditTrail?, clock: KeelClock = .system) {
        self.policy = policy
        self.store = store
        self.audit = audit
        self.clock = clock
    }

    /// Purges everything past its period now; returns what each rule removed.
    @discardableResult
    public func run(by actor: String) async throws -> [(data: DataClass, scope: RetentionScope, removed: Int)] {
        var removed: [(data: DataClass, scope: RetentionScope, removed: Int)] = []
        for rule in policy.rules {
            let now = clock.now()
            let before = now.addingTimeInterval(-rule.period)
            let count = try await store.purge(rule.data, in: rule.scope, before: before, at: now, by: actor)
            removed.append((rule.data, rule.scope, count))
            // The audit trail's own purge is recorded by the purge itself.
            guard count > 0, rule.data != .audit else { continue }
            let details = JSONObject([
                ("class", .string(rule.data.rawValue)), ("scope", .string(rule.scope.description)), ("route", JSONValue(rule.scope.route)),
                ("before", .string(ISO8601DateFormatter.keel.string(from: before))), ("removed", JSONValue(count)),
            ])
            try await audit?.record(AuditEvent("retention_purged", actor: actor, subject: rule.data.rawValue, details: details))
        }
        return removed
    }

    /// Each rule's period, how much is past it now, and the oldest item it covers.
    public func status() async throws -> [Line] {
        var lines: [Line] = []
        for rule in policy.rules {
            let retained = try await store.retained(rule.data, in: rule.scope, before: clock.now().addingTimeInterval(-rule.period))
            lines.append(Line(data: rule.data, scope: rule.scope, period: rule.period, retained: retained))
        }
        return lines
    }
}
