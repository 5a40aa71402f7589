import Foundation

/// Reports the execution figures of recent workflows, for the admin API, `/metrics` and the CLI.
public struct WorkflowReporter: Sendable {
    public var store: any WorkflowStore
    /// An open workflow without a step for this long counts as abandoned.
    public var idleTime: Duration
    public var clock: KeelClock

    public static let defaultIdleTime = Duration.seconds(86_400)

    public init(store: any WorkflowStore, idleTime: Duration = defaultIdleTime, clock: KeelClock = .system) {
        self.store = store
        self.idleTime = idleTime
        self.clock = clock
    }

    /// The workflows of `scope` started in the last `days` UTC days, today included.
    public func report(days: Int, in scope: TeamScope = .all) async throws -> WorkflowReport {
        let now = clock.now()
        let period = CostReport.lastDays(days, now: now)
        return WorkflowReport(
            tallies: try await store.tallies(since: period.since, until: period.until, in: scope),
            repeats: try await store.repeatedInputs(since: period.since, until: period.until, limit: 1000, in: scope),
            since: period.since,
            until: period.until,
            now: now,
            idleTime: idleTime
        )
    }
}
