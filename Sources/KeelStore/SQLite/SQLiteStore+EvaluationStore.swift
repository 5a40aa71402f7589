import Foundation
import GRDB
import KeelCore

extension SQLiteStore: EvaluationStore {
    public func createRun(_ run: EvaluationRun) async throws {
        try await pool.write { db in
            try db.execute(sql: EvaluationRows.insertRun, arguments: .storable(EvaluationRows.values(of: run).map(\.sqlite)))
        }
    }

    public func run(id: String) async throws -> EvaluationRun? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM evaluation_runs WHERE id = ?", arguments: [id]).map(Self.evaluationRun)
        }
    }

    public func runs(in scope: TeamScope, prompt: RegistryName?, limit: Int) async throws -> [EvaluationRun] {
        try await pool.read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if case .team(let team) = scope {
                conditions.append("team = ?")
                arguments += [team ?? ""]
            }
            if let prompt {
                conditions.append("prompt_team = ? AND prompt_name = ?")
                arguments += [prompt.team ?? "", prompt.name]
            }
            let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
            return try Row.fetchAll(
                db,
                sql: "SELECT * FROM evaluation_runs\(filter) ORDER BY started_at DESC, id LIMIT ?",
                arguments: arguments + [limit]
            )
            .map(Self.evaluationRun)
        }
    }

    public func record(_ results: [EvaluationResult], run: String) async throws -> Int {
        guard !results.isEmpty else { return 0 }
        return try await pool.write { db in
            let insert = try db.cachedStatement(
                sql: "INSERT INTO evaluation_results (run_id, case_id, outcome, finished_at, body) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
            )
            var kept = 0
            for result in results {
                try insert.execute(arguments: .storable(EvaluationRows.resultValues(of: result, run: run).map(\.sqlite)))
                kept += db.changesCount
            }
            return kept
        }
    }

    public func results(of run: String) async throws -> [EvaluationResult] {
        try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT body FROM evaluation_results WHERE run_id = ? ORDER BY finished_at, case_id", arguments: [run])
                .map { try EvaluationResult(json: try JSONParser.parse($0)) }
        }
    }

    public func finish(run: String, at now: Date) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE evaluation_runs SET finished_at = ? WHERE id = ?", arguments: [now.timeIntervalSince1970, run])
        }
    }

    private static func evaluationRun(_ row: Row) throws -> EvaluationRun {
        try EvaluationRows.run(
            EvaluationRows.Fields(
                id: row["id"],
                team: row["team"],
                promptTeam: row["prompt_team"],
                promptName: row["prompt_name"],
                promptVersion: row["prompt_version"],
                datasetTeam: row["dataset_team"],
                datasetName: row["dataset_name"],
                datasetVersion: row["dataset_version"],
                route: row["route"],
                plan: row["plan"],
                cases: row["cases"],
                startedAt: row["started_at"],
                finishedAt: row["finished_at"],
                createdBy: row["created_by"]
            )
        )
    }
}
