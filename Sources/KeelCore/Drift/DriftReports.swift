import Foundation

/// Reads monitored routes' windows and judgements back: the baseline and current window a
/// judgement compares (what the drift service judges with), and reports of them.
public struct DriftReports: Sendable {
    public let store: any DriftStore
    public let monitors: [String: DriftMonitor]

    public init(store: any DriftStore, monitors: [String: DriftMonitor]) {
        self.store = store
        self.monitors = monitors
    }

    /// The window of `route` starting at `start`, and its baseline: the monitor's last trailing
    /// windows with traffic (looking back up to four times as far), or its first ones; `nil` when
    /// the window has no traffic or the baseline is not whole yet.
    public func windows(
        _ route: String,
        monitor: DriftMonitor,
        at start: Date
    ) async throws -> (baseline: [DriftRollup.Window], current: DriftRollup.Window)? {
        func windows(_ since: Date, _ until: Date) async throws -> [DriftRollup.Window] {
            DriftRollup.Window.merging(try await store.windowParts(route: route, since: since, until: until), maximumSamples: monitor.maximumSamples)
        }
        guard case .seconds(let length) = monitor.window, let current = try await windows(start, start.addingTimeInterval(length)).first else {
            return nil
        }
        let count = monitor.baseline.windows
        let baseline: [DriftRollup.Window]
        switch monitor.baseline {
        case .trailing:
            baseline = Array(try await windows(start.addingTimeInterval(-4 * Double(count) * length), start).suffix(count))
        case .fixed:
            baseline = Array(try await windows(.distantPast, start).prefix(count))
        }
        return baseline.count == count ? (baseline, current) : nil
    }

    /// Each feature's values over `windows`, as samples.
    public static func samples(_ windows: [DriftRollup.Window], _ monitor: DriftMonitor) throws -> [String: DriftSample] {
        var samples: [String: DriftSample] = [:]
        for feature in monitor.features { samples[feature.name] = try feature.sample(windows.flatMap { $0.columns[feature.name] ?? [] }) }
        return samples
    }

    /// The route's report: its latest judgement, each feature's baseline and current distribution,
    /// and the history of its scores over the last `history` judgements.
    public func report(_ route: String, history: Int = 48) async throws -> DriftReport {
        guard let monitor = monitors[route] else { throw KeelError(.notFound, "The route '\(route)' has no drift monitor.", param: "route") }
        let judgements = try await store.judgements(route: route, limit: history)
        var baseline: [String: DriftSample] = [:]
        var current: [String: DriftSample] = [:]
        if let latest = judgements.first, let windows = try await windows(route, monitor: monitor, at: latest.windowStart) {
            baseline = try Self.samples(windows.baseline, monitor)
            current = try Self.samples([windows.current], monitor)
        }
        return DriftReport(route: route, monitor: monitor, judgements: judgements, baseline: baseline, current: current)
    }
}
