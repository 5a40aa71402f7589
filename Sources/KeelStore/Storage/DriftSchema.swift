import Foundation
import KeelCore

/// The tables of drift monitoring, the same on both backends (respelled by ``RegistrySchema``):
/// each replica's parts of each window, and each window's judgement.
enum DriftSchema {
    static let tables = """
        CREATE TABLE drift_windows (
            id TEXT PRIMARY KEY, route TEXT NOT NULL, window_start DOUBLE NOT NULL, replica TEXT NOT NULL, requests INTEGER NOT NULL,
            columns TEXT NOT NULL
        );
        CREATE INDEX drift_windows_route ON drift_windows (route, window_start);
        CREATE TABLE drift_judgements (
            route TEXT NOT NULL, window_start DOUBLE NOT NULL, state TEXT NOT NULL, calm INTEGER NOT NULL, findings TEXT NOT NULL,
            alerts TEXT NOT NULL, judged_at DOUBLE NOT NULL, PRIMARY KEY (route, window_start)
        )
        """

    /// What the request log keeps for drift monitors: each request's finish reasons, its
    /// `metadata`, and its ``ContentSignals``; and the index an evaluation run's requests are read by.
    static let requestColumns = [
        "ALTER TABLE requests ADD COLUMN finish_reasons TEXT", "ALTER TABLE requests ADD COLUMN metadata TEXT",
        "ALTER TABLE requests ADD COLUMN input_script TEXT", "ALTER TABLE requests ADD COLUMN refusal BOOLEAN",
        "ALTER TABLE requests ADD COLUMN answer_json BOOLEAN", "CREATE INDEX requests_evaluation_run ON requests (evaluation_run)",
    ]

    static func judgement(
        route: String,
        windowStart: Double,
        state: String,
        calm: Int,
        findings: String,
        alerts: String,
        judgedAt: Double
    ) throws
        -> DriftJudgementRecord
    {
        DriftJudgementRecord(
            route: route,
            windowStart: Date(timeIntervalSince1970: windowStart),
            state: DriftTracker.State(rawValue: state) ?? .ok,
            calm: calm,
            findings: try (JSONParser.parse(findings).arrayValue ?? []).map { item throws(KeelError) in try DriftTracker.Finding(json: item) },
            alerts: (try JSONParser.parse(alerts).arrayValue ?? []).compactMap(\.stringValue),
            judgedAt: Date(timeIntervalSince1970: judgedAt)
        )
    }

    static func findingsJSON(_ judgement: DriftJudgementRecord) -> String { JSONValue.array(judgement.findings.map(\.json)).jsonString }
    static func alertsJSON(_ judgement: DriftJudgementRecord) -> String { JSONValue.array(judgement.alerts.map(JSONValue.string)).jsonString }
}
