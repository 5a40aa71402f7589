import Foundation

/// A monitored route's drift as people read it: the state, and per feature the latest test, the
/// baseline's and current window's distributions (bin shares, or category shares) and the
/// feature's score over the recent judgements.
public struct DriftReport: Sendable {
    public struct Feature: Sendable {
        public var name: String
        public var kind: DriftFeature.Kind
        public var finding: DriftTracker.Finding?
        /// Bin labels (ranges, or categories) and each side's share of them.
        public var bins: [String]
        public var baselineShares: [Double]
        public var currentShares: [Double]
        /// The feature's statistic window by window, oldest first.
        public var history: [(start: Date, value: Double)]
    }

    public var route: String
    public var state: DriftTracker.State?
    public var windowStart: Date?
    public var features: [Feature]

    public init(
        route: String,
        monitor: DriftMonitor,
        judgements: [DriftJudgementRecord],
        baseline: [String: DriftSample],
        current: [String: DriftSample]
    ) {
        self.route = route
        let latest = judgements.first
        state = latest?.state
        windowStart = latest?.windowStart
        features = monitor.features.map { feature in
            var view = Feature(
                name: feature.name,
                kind: feature.kind,
                finding: latest?.findings.first { $0.feature == feature.name },
                bins: [],
                baselineShares: [],
                currentShares: [],
                history: judgements.reversed().compactMap { judgement in
                    judgement.findings.first { $0.feature == feature.name }.map { (judgement.windowStart, $0.value) }
                }
            )
            if let reference = baseline[feature.name], let sample = current[feature.name], reference.count > 0, sample.count > 0 {
                (view.bins, view.baselineShares, view.currentShares) = Self.distributions(reference, sample)
            }
            return view
        }
    }

    /// Both samples over the same bins: Sturges' over both for numbers, every category otherwise.
    static func distributions(_ reference: DriftSample, _ current: DriftSample) -> ([String], [Double], [Double]) {
        if case .numerical(let values, let integers) = reference, Set(values).count > 20 {
            let edges = Histogram.sturgesEdges(values + current.numbers, integers: integers)
            let labels = zip(edges, edges.dropFirst()).map { "\(Self.short($0))–\(Self.short($1))" }
            return (
                labels,
                Histogram.counts(values, edges: edges).map { Double($0) / Double(values.count) },
                Histogram.counts(current.numbers, edges: edges).map { Double($0) / Double(current.count) }
            )
        }
        let (keys, referenceCounts, currentCounts) = DriftStatistics.categoryCounts(reference, current)
        return (
            keys, keys.map { Double(referenceCounts[$0] ?? 0) / Double(reference.count) },
            keys.map { Double(currentCounts[$0] ?? 0) / Double(current.count) }
        )
    }

    static func short(_ value: Double) -> String {
        abs(value) >= 100 || value == value.rounded() ? String(Int(value.rounded())) : String(format: "%.3g", value)
    }

    public var json: JSONObject {
        var object = JSONObject([("route", .string(route)), ("state", JSONValue(state?.rawValue))])
        object["window_start"] = JSONValue(windowStart.map { ISO8601DateFormatter.keel.string(from: $0) })
        object["features"] = .array(
            features.map { feature in
                var item = JSONObject([("feature", .string(feature.name)), ("kind", .string(feature.kind.rawValue))])
                item["finding"] = feature.finding?.json ?? .null
                item["bins"] = .array(feature.bins.map(JSONValue.string))
                item["baseline"] = .array(feature.baselineShares.map(JSONValue.double))
                item["current"] = .array(feature.currentShares.map(JSONValue.double))
                item["history"] = .array(
                    feature.history.map { ["window_start": .string(ISO8601DateFormatter.keel.string(from: $0.start)), "value": .double($0.value)] }
                )
                return .object(item)
            }
        )
        return object
    }

    /// The report for a terminal: one line a feature, then its bins side by side.
    public var text: String {
        var lines = [
            "Drift of route \(route): \(state?.rawValue ?? "not judged yet")"
                + (windowStart.map { ", window of \(ISO8601DateFormatter.keel.string(from: $0))" } ?? "")
        ]
        for feature in features {
            guard let finding = feature.finding else {
                lines.append("  \(feature.name): not judged (too few values)")
                continue
            }
            let mark = finding.drifted ? "DRIFT" : "ok"
            lines.append(
                "  \(feature.name) [\(feature.kind.rawValue)] \(finding.test.rawValue) \(String(format: "%.4g", finding.value)) (threshold \(String(format: "%.4g", finding.threshold)))  \(mark)\(finding.streak > 1 ? " \(finding.streak) windows" : "")"
            )
            for (bin, (before, now)) in zip(feature.bins, zip(feature.baselineShares, feature.currentShares)).prefix(12) {
                lines.append(
                    "      \(bin.padding(toLength: 16, withPad: " ", startingAt: 0)) baseline \(String(format: "%5.1f %%", before * 100))  current \(String(format: "%5.1f %%", now * 100))"
                )
            }
        }
        return lines.joined(separator: "\n")
    }
}
