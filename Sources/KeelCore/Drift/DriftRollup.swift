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
    private let open = Mutex<[String: Window]>([:])

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
        open.withLock { windows in
            if let current = windows[route], current.start != start, start > current.start {
                // A request of the next window: the previous one moves aside, closed, for the next take.
                windows["\(route)\u{0}\(current.start.timeIntervalSince1970)"] = current
                windows[route] = nil
            }
            if windows[route] == nil { windows[route] = Window(route: route, start: start, requests: 0, columns: [:]) }
            // In place: a copy of the window would copy its columns, every request.
            windows[route]!.requests += 1
            let seen = windows[route]!.requests
            if seen <= monitor.maximumSamples {
                for (feature, value) in zip(monitor.features, values) { windows[route]!.columns[feature.name, default: []].append(value) }
            } else {
                let slot = Int.random(in: 0..<seen)
                guard slot < monitor.maximumSamples else { return }
                for (feature, value) in zip(monitor.features, values) { windows[route]!.columns[feature.name]?[slot] = value }
            }
        }
    }

    /// The windows that ended by `now`, removed from the rollup.
    public func takeClosed(now: Date) -> [Window] {
        open.withLock { windows in
            var closed: [Window] = []
            for (key, window) in windows {
                guard let monitor = monitors[window.route] else { continue }
                if window.start.addingTimeInterval(monitor.window.sliceSeconds) <= now {
                    closed.append(window)
                    windows[key] = nil
                }
            }
            return closed.sorted { ($0.route, $0.start) < ($1.route, $1.start) }
        }
    }
}
