import Foundation

/// What the request log says was spent over a period, summed along one dimension.
public struct CostReport: Sendable, Hashable {
    /// The dimension a report sums along.
    public enum Grouping: String, Sendable, Hashable, CaseIterable {
        /// The key's name (as budgets name keys).
        case key
        case team
        case route
        /// The deployment that answered.
        case model
        /// The UTC day, `2026-11-22`.
        case day
        /// The registered prompt and version the request was rendered from (`triage@3`).
        case prompt
    }

    /// The figures of one group (or of all of them, for ``total``).
    public struct Line: Sendable, Hashable {
        /// The key, team, route, deployment or day; `nil` for requests without one (refused before routing).
        public var group: String?
        public var requests: Int
        public var inputTokens: Int
        public var outputTokens: Int
        public var cost: Money
        /// The part of ``cost`` Keel counted itself because the upstream reported no usage.
        public var estimatedCost: Money
        /// What failed attempts may have cost on top of ``cost``, at most.
        public var retryCost: Money

        public init(
            group: String?,
            requests: Int,
            inputTokens: Int,
            outputTokens: Int,
            cost: Money,
            estimatedCost: Money = .zero,
            retryCost: Money = .zero
        ) {
            self.group = group
            self.requests = requests
            self.inputTokens = inputTokens
            self.outputTokens = outputTokens
            self.cost = cost
            self.estimatedCost = estimatedCost
            self.retryCost = retryCost
        }

        /// The mean cost of a request of this group.
        public var costPerRequest: Money { requests == 0 ? .zero : Money(picodollars: cost.picodollars / Int64(requests)) }

        static func + (lhs: Line, rhs: Line) -> Line {
            Line(
                group: nil,
                requests: lhs.requests + rhs.requests,
                inputTokens: lhs.inputTokens + rhs.inputTokens,
                outputTokens: lhs.outputTokens + rhs.outputTokens,
                cost: lhs.cost + rhs.cost,
                estimatedCost: lhs.estimatedCost + rhs.estimatedCost,
                retryCost: lhs.retryCost + rhs.retryCost
            )
        }
    }

    public var grouping: Grouping
    public var since: Date
    public var until: Date
    /// By cost, largest first; by day, oldest first.
    public var lines: [Line]

    public init(grouping: Grouping, since: Date, until: Date, lines: [Line]) {
        self.grouping = grouping
        self.since = since
        self.until = until
        self.lines = lines
    }

    /// The last `days` UTC days, today included: from the start of the first to the end of today.
    public static func lastDays(_ days: Int, now: Date) -> (since: Date, until: Date) {
        let (today, tomorrow) = Budget.Window.day.bounds(of: now)
        return (today.addingTimeInterval(-Double(max(days, 1) - 1) * 86_400), tomorrow ?? now)
    }

    /// All groups together.
    public var total: Line { lines.reduce(Line(group: nil, requests: 0, inputTokens: 0, outputTokens: 0, cost: .zero), +) }
}

/// Where the figures of cost reports come from: the request log.
public protocol CostStore: Sendable {
    /// The requests of `scope` started in `since..<until`, summed by `grouping` (see ``CostReport/lines`` for the order).
    func costs(by grouping: CostReport.Grouping, since: Date, until: Date, in scope: TeamScope) async throws -> [CostReport.Line]
    /// The input tokens of answered requests of `scope` in `since..<until`, by route and UTC day.
    func promptSizes(since: Date, until: Date, in scope: TeamScope) async throws -> [PromptSize]
}

extension CostStore {
    /// The report of `since..<until` along `grouping`, over the requests of `scope`.
    public func report(by grouping: CostReport.Grouping, since: Date, until: Date, in scope: TeamScope = .all) async throws -> CostReport {
        CostReport(grouping: grouping, since: since, until: until, lines: try await costs(by: grouping, since: since, until: until, in: scope))
    }
}
