import Foundation

/// Reads monitored routes' windows and judgements back: which window is due for judging, the
/// baseline and current window a judgement compares (what the drift service judges with), and
/// reports of them.
///
/// A time window is what the rollup stored for it. A row-count window is the slices of a minute
/// from its start until they hold the monitor's number of requests; the next one starts where it
/// ends. A dataset baseline is the route's requests of the latest finished evaluation run of that
/// dataset, read from the request log.
public struct DriftReports: Sendable {
    public let store: any DriftStore
    public let monitors: [String: DriftMonitor]
    /// Where a dataset baseline's run and requests are read; without them such a baseline is never whole.
    public let evaluations: (any EvaluationStore)?
    public let log: (any RequestLogStore)?

    public init(store: any DriftStore, monitors: [String: DriftMonitor], evaluations: (any EvaluationStore)? = nil, log: (any RequestLogStore)? = nil)
    {
        self.store = store
        self.monitors = monitors
        self.evaluations = evaluations
        self.log = log
    }

    /// Slices of a row-count window are read in spans growing from an hour, up to a week.
    static let firstSpan: TimeInterval = 3600
    static let longestReach: TimeInterval = 7 * 86_400

    /// The start of `route`'s next window to judge after `previous`, among those wholly stored by
    /// `due`; `nil` when none is.
    public func nextWindow(_ route: String, monitor: DriftMonitor, after previous: DriftJudgementRecord?, due: Date) async throws -> Date? {
        switch monitor.window {
        case .seconds(let length):
            let target = DriftRollup.windowStart(due, of: monitor).addingTimeInterval(-length)
            if let previous, previous.windowStart >= target { return nil }
            return target
        case .requests(let count):
            let start: Date
            if let previous {
                guard let judged = try await slices(route, from: previous.windowStart, requests: count, until: due) else { return nil }
                start = judged.end
            } else if let filling = monitor.baseline.windows {
                // The first windows fill a trailing or fixed baseline before any is judged.
                guard let first = try await store.firstWindowStart(route: route),
                    let baseline = try await slices(route, from: first, requests: filling * count, until: due)
                else { return nil }
                start = baseline.end
            } else {
                guard let first = try await store.firstWindowStart(route: route) else { return nil }
                start = first
            }
            return try await slices(route, from: start, requests: count, until: due) == nil ? nil : start
        }
    }

    /// The window of `route` starting at `start`, and its baseline: the monitor's last trailing
    /// windows with traffic (looking back up to four times as far), its first ones, or its dataset's
    /// run; `nil` when the window has no traffic or the baseline is not whole yet.
    public func windows(
        _ route: String,
        monitor: DriftMonitor,
        at start: Date
    ) async throws -> (baseline: [DriftRollup.Window], current: DriftRollup.Window)? {
        func windows(_ since: Date, _ until: Date) async throws -> [DriftRollup.Window] {
            DriftRollup.Window.merging(try await store.windowParts(route: route, since: since, until: until), maximumSamples: monitor.maximumSamples)
        }
        let current: DriftRollup.Window
        switch monitor.window {
        case .seconds(let length):
            guard let window = try await windows(start, start.addingTimeInterval(length)).first else { return nil }
            current = window
        case .requests(let count):
            guard let span = try await slices(route, from: start, requests: count, until: .distantFuture) else { return nil }
            current = span.window(maximumSamples: monitor.maximumSamples)
        }
        let baseline: [DriftRollup.Window]
        switch (monitor.baseline, monitor.window) {
        case (.dataset(let dataset), _):
            guard let window = try await datasetWindow(route, dataset: dataset, monitor: monitor) else { return nil }
            baseline = [window]
        case (.trailing(let count), .seconds(let length)):
            baseline = Array(try await windows(start.addingTimeInterval(-4 * Double(count) * length), start).suffix(count))
            guard baseline.count == count else { return nil }
        case (.fixed(let count), .seconds):
            baseline = Array(try await windows(.distantPast, start).prefix(count))
            guard baseline.count == count else { return nil }
        case (.trailing(let windows), .requests(let count)):
            guard let span = try await slices(route, before: start, requests: windows * count) else { return nil }
            baseline = [span.window(maximumSamples: monitor.maximumSamples)]
        case (.fixed(let windows), .requests(let count)):
            guard let first = try await store.firstWindowStart(route: route),
                let span = try await slices(route, from: first, requests: windows * count, until: start)
            else { return nil }
            baseline = [span.window(maximumSamples: monitor.maximumSamples)]
        }
        return (baseline, current)
    }

    /// Consecutive slices of a row-count window: from their first start to the end of the last.
    struct Slices {
        var parts: [DriftRollup.Window]
        var start: Date
        var end: Date

        func window(maximumSamples: Int) -> DriftRollup.Window {
            var merged = DriftRollup.Window.merging(
                parts.map { part in
                    var part = part
                    part.start = start
                    return part
                },
                maximumSamples: maximumSamples
            )
            return merged.removeFirst()
        }
    }

    /// The slices from `from` on until they hold `requests`, all ending by `until`; `nil` when
    /// there are not that many requests yet.
    func slices(_ route: String, from: Date, requests: Int, until: Date) async throws -> Slices? {
        var parts: [DriftRollup.Window] = []
        var held = 0
        var reach = Self.firstSpan
        var since = from
        while since < until, since < from.addingTimeInterval(Self.longestReach) {
            let end = min(since.addingTimeInterval(reach), until)
            for part in try await store.windowParts(route: route, since: since, until: end) {
                // Whole slices: the one that reaches the count is taken with every replica's part of it.
                if held >= requests, let last = parts.last, part.start != last.start { break }
                parts.append(part)
                held += part.requests
            }
            if held >= requests, let last = parts.last {
                let sliceEnd = last.start.addingTimeInterval(DriftMonitor.Window.requestSliceSeconds)
                guard sliceEnd <= until else { return nil }
                return Slices(parts: parts.filter { $0.start <= last.start }, start: parts[0].start, end: sliceEnd)
            }
            since = end
            reach *= 2
        }
        return nil
    }

    /// The slices just before `before` that hold `requests`, looking back up to a week.
    func slices(_ route: String, before: Date, requests: Int) async throws -> Slices? {
        var parts: [DriftRollup.Window] = []
        var held = 0
        var reach = Self.firstSpan
        var until = before
        while until > before.addingTimeInterval(-Self.longestReach) {
            let since = until.addingTimeInterval(-reach)
            for part in try await store.windowParts(route: route, since: since, until: until).reversed() {
                if held >= requests, let first = parts.last, part.start != first.start { break }
                parts.append(part)
                held += part.requests
            }
            if held >= requests, let first = parts.last {
                return Slices(parts: parts.reversed(), start: first.start, end: before)
            }
            until = since
            reach *= 2
        }
        return nil
    }

    /// A dataset baseline: the route's requests of the latest finished evaluation run of `dataset`
    /// on it, as one window.
    func datasetWindow(_ route: String, dataset: String, monitor: DriftMonitor) async throws -> DriftRollup.Window? {
        guard let evaluations, let log else { return nil }
        let runs = try await evaluations.runs(in: .all, prompt: nil, limit: 500)
        guard let run = runs.first(where: { $0.route == route && $0.dataset.name == dataset && $0.finishedAt != nil }) else { return nil }
        let records = try await log.requests(matching: RequestQuery(route: route, limit: monitor.maximumSamples, evaluationRun: run.id))
            .filter { $0.status < 400 }
        guard !records.isEmpty else { return nil }
        var columns: [String: [JSONValue]] = [:]
        for feature in monitor.features { columns[feature.name] = records.map { feature.value(of: $0) ?? .null } }
        return DriftRollup.Window(route: route, start: run.startedAt, requests: records.count, columns: columns)
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
