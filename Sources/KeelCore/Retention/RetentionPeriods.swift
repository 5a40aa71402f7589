import Foundation

/// How long each class of data is kept, as configured (`retention:` at the top, or a route's own):
/// periods in days; a class without one is kept until deleted.
///
/// ```yaml
/// retention: { bodies_days: 30, metadata_days: 90, workflow_steps_days: 30, reviews_days: 365, audit_days: 2555 }
/// routes:
///   support: { model: m, retention: { bodies_days: 7 } }
/// ```
public struct RetentionPeriods: Sendable, Hashable {
    public var periods: [DataClass: TimeInterval]

    public init(_ periods: [DataClass: TimeInterval] = [:]) { self.periods = periods }

    public subscript(_ data: DataClass) -> TimeInterval? { periods[data] }
}

/// The periods every class is kept for, route by route: a route's own where it has one, the
/// defaults elsewhere. The purge and `keel retention status` walk the same list.
public struct RetentionPolicy: Sendable, Hashable {
    public var defaults: RetentionPeriods
    public var routes: [String: RetentionPeriods]

    public init(defaults: RetentionPeriods = RetentionPeriods(), routes: [String: RetentionPeriods] = [:]) {
        self.defaults = defaults
        self.routes = routes
    }

    /// Every class and scope with a period, in order: each route's own, then the default for the rest.
    public var rules: [(data: DataClass, scope: RetentionScope, period: TimeInterval)] {
        DataClass.allCases.flatMap { data -> [(data: DataClass, scope: RetentionScope, period: TimeInterval)] in
            let own = routes.compactMap { name, periods in periods[data].map { (name, $0) } }.sorted { $0.0 < $1.0 }
            let rules = own.map { (data: data, scope: RetentionScope.route($0.0), period: $0.1) }
            guard let period = defaults[data] else { return rules }
            let scope: RetentionScope = data == .audit ? .others(excluding: []) : .others(excluding: own.map(\.0))
            return rules + [(data: data, scope: scope, period: period)]
        }
    }
}
