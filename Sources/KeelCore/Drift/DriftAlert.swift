import Foundation

/// A monitored route's drift state changed: its traffic moved from its baseline, naming the
/// features that moved most, or it came back.
public struct DriftAlert: Alert, Hashable {
    public var route: String
    public var windowStart: Date
    public var state: DriftTracker.State
    /// The features that moved most, most first, with their statistic and value.
    public var features: [DriftTracker.Finding]

    public init(_ judgement: DriftJudgementRecord) {
        route = judgement.route
        windowStart = judgement.windowStart
        state = judgement.state
        features = judgement.alerts.compactMap { name in judgement.findings.first { $0.feature == name } }
    }

    public var alertKind: String { state == .drifting ? "drift_started" : "drift_ended" }

    public var message: String {
        guard state == .drifting else { return "The traffic of route \(route) is back within its baseline." }
        let moved = features.map { "\($0.feature) (\($0.test.rawValue) \(String(format: "%.4g", $0.value)))" }.joined(separator: ", ")
        return "The traffic of route \(route) moved from its baseline: \(moved)."
    }

    public var json: JSONValue {
        [
            "kind": .string(alertKind), "route": .string(route), "window_start": .string(ISO8601DateFormatter.keel.string(from: windowStart)),
            "features": .array(
                features.map { ["feature": .string($0.feature), "statistic": .string($0.test.rawValue), "value": .double($0.value)] }
            ),
            "text": .string(message),
        ]
    }

    public var logMetadata: [String: String] {
        ["alert": alertKind, "route": route, "features": features.map(\.feature).joined(separator: ",")]
    }
}
