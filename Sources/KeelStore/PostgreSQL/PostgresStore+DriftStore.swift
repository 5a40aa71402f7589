import Foundation
import KeelCore
import PostgresNIO

extension PostgresStore: DriftStore {
    public func saveWindow(_ window: DriftRollup.Window, replica: String) async throws {
        try await execute(
            .with(
                "INSERT INTO drift_windows (id, route, window_start, replica, requests, columns) VALUES (?, ?, ?, ?, ?, ?)",
                [RandomID.make(prefix: "dw_"), window.route, window.start.timeIntervalSince1970, replica, window.requests, window.columnsJSON]
            )
        )
    }

    public func firstWindowStart(route: String) async throws -> Date? {
        let start: Double? = try await rows(.with("SELECT MIN(window_start) AS start FROM drift_windows WHERE route = ?", [route])).first?.value(
            "start"
        )
        return start.map(Date.init(timeIntervalSince1970:))
    }

    public func windowParts(route: String, since: Date, until: Date) async throws -> [DriftRollup.Window] {
        let parts = try await rows(
            .with(
                "SELECT * FROM drift_windows WHERE route = ? AND window_start >= ? AND window_start < ? ORDER BY window_start, id",
                [route, since.timeIntervalSince1970, until.timeIntervalSince1970]
            )
        )
        .map { row in
            DriftRollup.Window(
                route: try row.value("route"),
                start: try row.date("window_start"),
                requests: try row.value("requests"),
                columns: try DriftRollup.Window.columns(json: try row.value("columns"))
            )
        }
        return parts
    }

    public func saveJudgement(_ judgement: DriftJudgementRecord) async throws -> Bool {
        let kept = try await rows(
            .with(
                """
                INSERT INTO drift_judgements (route, window_start, state, calm, findings, alerts, judged_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT DO NOTHING RETURNING route
                """,
                [
                    judgement.route, judgement.windowStart.timeIntervalSince1970, judgement.state.rawValue, judgement.calm,
                    DriftSchema.findingsJSON(judgement),
                    DriftSchema.alertsJSON(judgement), judgement.judgedAt.timeIntervalSince1970,
                ]
            )
        )
        return !kept.isEmpty
    }

    public func judgements(route: String, limit: Int) async throws -> [DriftJudgementRecord] {
        try await rows(.with("SELECT * FROM drift_judgements WHERE route = ? ORDER BY window_start DESC LIMIT ?", [route, limit])).map { row in
            try DriftSchema.judgement(
                route: try row.value("route"),
                windowStart: try row.value("window_start"),
                state: try row.value("state"),
                calm: try row.value("calm"),
                findings: try row.value("findings"),
                alerts: try row.value("alerts"),
                judgedAt: try row.value("judged_at")
            )
        }
    }
}
