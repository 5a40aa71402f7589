import Foundation

/// A spending limit on a key, a team or a route over a day, a month, or all time (UTC windows).
/// Over the soft limit Keel warns; at the hard limit it refuses with `budget_exceeded`.
public struct Budget: Sendable, Hashable {
    public enum Scope: Sendable, Hashable, CustomStringConvertible {
        /// A key, by name.
        case key(String)
        case team(String)
        case route(String)

        public var description: String {
            switch self {
            case .key(let name): "key \(name)"
            case .team(let name): "team \(name)"
            case .route(let name): "route \(name)"
            }
        }
    }

    public enum Window: String, Sendable, Hashable, CaseIterable {
        case day, month, total

        /// The start of the window holding `date`, and the start of the next (`nil` for `total`).
        public func bounds(of date: Date) -> (start: Date, next: Date?) {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            switch self {
            case .day:
                let start = calendar.startOfDay(for: date)
                return (start, calendar.date(byAdding: .day, value: 1, to: start))
            case .month:
                let start = calendar.date(from: calendar.dateComponents([.year, .month], from: date))!
                return (start, calendar.date(byAdding: .month, value: 1, to: start))
            case .total:
                return (Date(timeIntervalSince1970: 0), nil)
            }
        }
    }

    public var scope: Scope
    public var window: Window
    public var limit: Money
    /// Spend past which Keel warns (and says so in `x-keel-budget-remaining`); `nil` for none.
    public var softLimit: Money?

    public init(scope: Scope, window: Window, limit: Money, softLimit: Money? = nil) {
        self.scope = scope
        self.window = window
        self.limit = limit
        self.softLimit = softLimit
    }

    /// The budget's stable name in the database: its scope and window (`team:search:day`).
    public var accountName: String {
        switch scope {
        case .key(let name): "key:\(name):\(window.rawValue)"
        case .team(let name): "team:\(name):\(window.rawValue)"
        case .route(let name): "route:\(name):\(window.rawValue)"
        }
    }

    /// Whether this budget covers a request by `key` to `route`.
    public func covers(key: APIKey?, route: String) -> Bool {
        switch scope {
        case .key(let name): key?.name == name
        case .team(let team): key?.team == team
        case .route(let name): route == name
        }
    }
}
