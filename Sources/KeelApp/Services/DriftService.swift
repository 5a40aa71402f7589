import Foundation
import KeelCore
import KeelStore
import Logging
import ServiceLifecycle
import Synchronization

/// Judges each monitored route's windows as they close. Every `interval` it stores the windows its
/// replica's rollup closed, and judges each route's latest window once every replica has had
/// two intervals to store its part: the window against its baseline (the monitor's trailing windows
/// with traffic, or its first ones), read from the storage every replica shares. The first replica to judge a window keeps its judgement; a change of state is logged
/// with the features that moved most. Judgements are kept in the storage; the latest (whichever
/// replica made it) also here, for `/metrics`.
public final class DriftService: Service, DriftReadout {
    private let rollup: DriftRollup
    private let store: any DriftStore
    private let reports: DriftReports
    private let monitors: [String: DriftMonitor]
    private let replica: String
    private let clock: KeelClock
    private let interval: Duration
    private let logger: Logger
    private let alert: @Sendable (DriftAlert) -> Void
    private let latest = Mutex<[String: DriftJudgementRecord]>([:])

    public init(
        rollup: DriftRollup,
        reports: DriftReports,
        replica: String,
        clock: KeelClock,
        interval: Duration = .seconds(15),
        logger: Logger,
        alert: @escaping @Sendable (DriftAlert) -> Void = { _ in }
    ) {
        self.rollup = rollup
        self.reports = reports
        self.store = reports.store
        self.monitors = reports.monitors
        self.replica = replica
        self.clock = clock
        self.interval = interval
        self.logger = logger
        self.alert = alert
    }

    /// The latest judgement of each route this replica knows.
    public var judgements: [String: DriftJudgementRecord] { latest.withLock { $0 } }

    public func run() async throws {
        guard !monitors.isEmpty else { return try await gracefulShutdown() }
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do { try await tick() } catch { logger.error("drift check failed", metadata: ["error": "\(error)"]) }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
        }
        // What closed by now is stored on the way out; the open window goes with the process.
        for window in rollup.takeClosed(now: clock.now()) { try? await store.saveWindow(window, replica: replica) }
    }

    /// Stores the closed windows and judges every route whose latest window is due; returns the judgements made.
    @discardableResult
    public func tick() async throws -> [DriftJudgementRecord] {
        let now = clock.now()
        for window in rollup.takeClosed(now: now) { try await store.saveWindow(window, replica: replica) }
        var made: [DriftJudgementRecord] = []
        for (route, monitor) in monitors.sorted(by: { $0.key < $1.key }) {
            let previous = try await store.judgements(route: route, limit: 1).first
            // Another replica's judgement is this one's latest too.
            if let previous { latest.withLock { $0[route] = previous } }
            // Only windows that ended at least two intervals ago: every replica has stored its part.
            let due = now.addingTimeInterval(-2 * Double(interval.components.seconds))
            guard let target = try await reports.nextWindow(route, monitor: monitor, after: previous, due: due),
                let judgement = try await judge(route, monitor, window: target, after: previous)
            else { continue }
            guard try await store.saveJudgement(judgement) else { continue }
            latest.withLock { $0[route] = judgement }
            made.append(judgement)
            if judgement.state != (previous?.state ?? .ok) { alert(DriftAlert(judgement)) }
        }
        return made
    }

    /// The judgement of `route`'s window at `start`, or `nil` when it or its baseline has no traffic.
    private func judge(
        _ route: String,
        _ monitor: DriftMonitor,
        window start: Date,
        after previous: DriftJudgementRecord?
    ) async throws
        -> DriftJudgementRecord?
    {
        guard let (baseline, current) = try await reports.windows(route, monitor: monitor, at: start) else {
            return nil
        }
        var tracker = DriftTracker(monitor: monitor, after: previous)
        let judged = tracker.judge(
            window: 0,
            baseline: try DriftReports.samples(baseline, monitor),
            current: try DriftReports.samples([current], monitor)
        )
        return DriftJudgementRecord(
            route: route,
            windowStart: start,
            state: judged.state,
            calm: tracker.calmWindows,
            findings: judged.findings,
            alerts: judged.alerts.map(\.feature),
            judgedAt: clock.now()
        )
    }
}
