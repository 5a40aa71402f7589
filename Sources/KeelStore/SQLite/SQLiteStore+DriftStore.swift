import Foundation
import GRDB
import KeelCore

extension SQLiteStore: DriftStore {
    public func saveWindow(_ window: DriftRollup.Window, replica: String) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO drift_windows (id, route, window_start, replica, requests, columns) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: .storable([
                    RandomID.make(prefix: "dw_"), window.route, window.start.timeIntervalSince1970, replica, window.requests, window.columnsJSON,
                ])
            )
        }
    }

    public func firstWindowStart(route: String) async throws -> Date? {
        try await pool.read { db in
            try Double.fetchOne(db, sql: "SELECT MIN(window_start) FROM drift_windows WHERE route = ?", arguments: [route])
        }
        .map(Date.init(timeIntervalSince1970:))
    }

    public func windowParts(route: String, since: Date, until: Date) async throws -> [DriftRollup.Window] {
        let parts = try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM drift_windows WHERE route = ? AND window_start >= ? AND window_start < ? ORDER BY window_start, id",
                arguments: [route, since.timeIntervalSince1970, until.timeIntervalSince1970]
            )
            .map { row in
                DriftRollup.Window(
                    route: row["route"],
                    start: Date(timeIntervalSince1970: row["window_start"]),
                    requests: row["requests"],
                    columns: try DriftRollup.Window.columns(json: row["columns"])
                )
            }
        }
        return parts
    }

    public func saveJudgement(_ judgement: DriftJudgementRecord) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO drift_judgements (route, window_start, state, calm, findings, alerts, judged_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT DO NOTHING
                    """,
                arguments: [
                    judgement.route, judgement.windowStart.timeIntervalSince1970, judgement.state.rawValue, judgement.calm,
                    DriftSchema.findingsJSON(judgement),
                    DriftSchema.alertsJSON(judgement), judgement.judgedAt.timeIntervalSince1970,
                ]
            )
            return db.changesCount > 0
        }
    }

    public func judgements(route: String, limit: Int) async throws -> [DriftJudgementRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM drift_judgements WHERE route = ? ORDER BY window_start DESC LIMIT ?", arguments: [route, limit])
                .map { row in
                    try DriftSchema.judgement(
                        route: row["route"],
                        windowStart: row["window_start"],
                        state: row["state"],
                        calm: row["calm"],
                        findings: row["findings"],
                        alerts: row["alerts"],
                        judgedAt: row["judged_at"]
                    )
                }
        }
    }
}
