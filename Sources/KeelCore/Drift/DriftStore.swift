import Foundation

/// A monitor's judgement of one window, as stored: the state after it and every feature's finding.
public struct DriftJudgementRecord: Sendable, Hashable {
    public var route: String
    public var windowStart: Date
    public var state: DriftTracker.State
    /// Windows in a row without a drifting feature, while drifting (how near the state is to ok).
    public var calm: Int
    public var findings: [DriftTracker.Finding]
    /// The features that moved most, when the state turned to drifting.
    public var alerts: [String]
    public var judgedAt: Date

    public init(
        route: String,
        windowStart: Date,
        state: DriftTracker.State,
        calm: Int = 0,
        findings: [DriftTracker.Finding],
        alerts: [String],
        judgedAt: Date
    ) {
        self.route = route
        self.windowStart = windowStart
        self.state = state
        self.calm = calm
        self.findings = findings
        self.alerts = alerts
        self.judgedAt = judgedAt
    }
}

/// Storage for drift: each replica's share of each window's feature values, and the judgements.
public protocol DriftStore: Sendable {
    /// Keeps a replica's values of a window (a replica may send a window in several parts).
    func saveWindow(_ window: DriftRollup.Window, replica: String) async throws
    /// Every replica's parts of the windows of `route` that start in `since..<until`, oldest first
    /// (``DriftRollup/Window/merging(_:maximumSamples:)`` makes windows of them).
    func windowParts(route: String, since: Date, until: Date) async throws -> [DriftRollup.Window]
    /// When the first stored window of `route` starts; `nil` before any.
    func firstWindowStart(route: String) async throws -> Date?
    /// Keeps a judgement unless the window already has one (the first replica to judge it wins);
    /// returns whether this one was kept.
    @discardableResult
    func saveJudgement(_ judgement: DriftJudgementRecord) async throws -> Bool
    /// The latest judgements of `route`, newest first.
    func judgements(route: String, limit: Int) async throws -> [DriftJudgementRecord]
}

extension DriftTracker.Finding {
    public var json: JSONValue {
        [
            "feature": .string(feature), "test": .string(test.rawValue), "value": .double(value), "threshold": .double(threshold),
            "drifted": .bool(drifted), "streak": JSONValue(streak),
        ]
    }

    public init(json value: JSONValue) throws(KeelError) {
        let reader = try FieldReader(body: value)
        self.init(
            feature: try reader.required("feature", "a string") { $0.stringValue },
            test: try reader.required("test", "a test") { $0.stringValue.flatMap(DriftTest.init(rawValue:)) },
            value: try reader.required("value", "a number") { $0.doubleValue },
            threshold: try reader.required("threshold", "a number") { $0.doubleValue },
            drifted: try reader.required("drifted", "a boolean") { $0.boolValue },
            streak: try reader.integer("streak", in: 0...Int.max) ?? 0
        )
    }
}

extension DriftRollup.Window {
    /// The columns as stored: `{"feature": [values, …]}`.
    public var columnsJSON: String { JSONValue.object(JSONObject(columns.sorted { $0.key < $1.key }.map { ($0.key, .array($0.value)) })).jsonString }

    public static func columns(json text: String) throws -> [String: [JSONValue]] {
        let object = try JSONParser.parse(text).objectValue ?? JSONObject()
        return Dictionary(uniqueKeysWithValues: object.entries.map { ($0.key, $0.value.arrayValue ?? []) })
    }

    /// Replicas' parts of the same windows merged, oldest first. Parts that kept a sample of their
    /// requests are merged in proportion to the requests each saw, at most `maximumSamples` rows a window.
    public static func merging(_ parts: [DriftRollup.Window], maximumSamples: Int = .max) -> [DriftRollup.Window] {
        let windows = Dictionary(grouping: parts, by: \.start)
        return windows.keys.sorted().map { start in
            let group = windows[start] ?? []
            let total = group.reduce(0) { $0 + $1.requests }
            let rows = group.reduce(0) { $0 + ($1.columns.values.first?.count ?? 0) }
            var merged = DriftRollup.Window(route: group[0].route, start: start, requests: total, columns: [:])
            for part in group {
                let kept = part.columns.values.first?.count ?? 0
                // Each part's share of the window's sample is its share of the requests.
                let take =
                    rows <= maximumSamples ? kept : min(kept, Int((Double(maximumSamples) * Double(part.requests) / Double(max(total, 1))).rounded()))
                let chosen = take == kept ? Array(0..<kept) : Array((0..<kept).shuffled().prefix(take))
                for (feature, values) in part.columns { merged.columns[feature, default: []] += chosen.map { values[$0] } }
            }
            return merged
        }
    }
}

/// The latest drift judgement of each monitored route, for `/metrics`.
public protocol DriftReadout: Sendable {
    var judgements: [String: DriftJudgementRecord] { get }
}
