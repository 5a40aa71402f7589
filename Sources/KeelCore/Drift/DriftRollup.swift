import Foundation
import Synchronization

/// Gathers the features of each monitored route's requests as they finish, window by window, so
/// that judging a window never reads the request log: an observer whose work on the request path
/// is a few appends under a lock. A window keeps at most the monitor's `max_samples` requests, a
/// uniform sample of all it saw (reservoir sampling), so that judging costs the same however busy
/// the route is. Closed windows are taken (``takeClosed(now:)``) and stored by
/// the drift service, where every replica's share of a window meets the others'.
public final class DriftRollup: ExchangeObserver {
    /// One route's values of one window on this replica.
    public struct Window: Sendable, Hashable {
        public var route: String
        public var start: Date
        public var requests: Int
        public var columns: [String: [JSONValue]]

        public init(route: String, start: Date, requests: Int, columns: [String: [JSONValue]]) {
            self.route = route
            self.start = start
            self.requests = requests
            self.columns = columns
        }
    }

    private let monitors: [String: DriftMonitor]
    private let clock: KeelClock
    /// The open windows by route (closed ones aside until taken), and the sampling's generator.
    private struct State {
        var windows: [String: Window] = [:]
        var random = SeededRandom(seed: UInt64.random(in: 0...UInt64.max))
    }

    private let open = Mutex(State())

    /// `monitors` by route. A row-count window is rolled up in slices of a minute, which the drift
    /// service puts together.
    public init(monitors: [String: DriftMonitor], clock: KeelClock = .system) {
        self.monitors = monitors
        self.clock = clock
    }

    public var isEmpty: Bool { monitors.isEmpty }

    /// The start of the window (or slice) of `monitor` that holds `date`: they are aligned on the epoch.
    public static func windowStart(_ date: Date, of monitor: DriftMonitor) -> Date {
        let length = monitor.window.sliceSeconds
        return Date(timeIntervalSince1970: (date.timeIntervalSince1970 / length).rounded(.down) * length)
    }

    public func exchangeFinished(_ record: RequestRecord) {
        guard let route = record.route, let monitor = monitors[route], record.evaluationRun == nil, record.status < 400 else { return }
        let start = Self.windowStart(record.startedAt, of: monitor)
        let values = monitor.features.map { $0.value(of: record) ?? .null }
        open.withLock { state in
            if let current = state.windows[route], current.start != start, start > current.start {
                // A request of the next window: the previous one moves aside, closed, for the next take.
                state.windows["\(route)\u{0}\(current.start.timeIntervalSince1970)"] = current
                state.windows[route] = nil
            }
            if state.windows[route] == nil { state.windows[route] = Window(route: route, start: start, requests: 0, columns: [:]) }
            // In place: a copy of the window would copy its columns, every request.
            state.windows[route]!.requests += 1
            let seen = state.windows[route]!.requests
            if seen <= monitor.maximumSamples {
                for (feature, value) in zip(monitor.features, values) { state.windows[route]!.columns[feature.name, default: []].append(value) }
            } else {
                let slot = Int.random(in: 0..<seen, using: &state.random)
                guard slot < monitor.maximumSamples else { return }
                for (feature, value) in zip(monitor.features, values) { state.windows[route]!.columns[feature.name]?[slot] = value }
            }
        }
    }

    /// The windows that ended by `now`, removed from the rollup.
    public func takeClosed(now: Date) -> [Window] {
        open.withLock { state in
            var closed: [Window] = []
            for (key, window) in state.windows {
                guard let monitor = monitors[window.route] else { continue }
                if window.start.addingTimeInterval(monitor.window.sliceSeconds) <= now {
                    closed.append(window)
                    state.windows[key] = nil
                }
            }
            return closed.sorted { ($0.route, $0.start) < ($1.route, $1.start) }
        }
    }
}
