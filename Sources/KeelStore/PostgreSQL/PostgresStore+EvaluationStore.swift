import Foundation
import KeelCore
import PostgresNIO

extension PostgresStore: EvaluationStore {
    public func createRun(_ run: EvaluationRun) async throws {
        try await execute(.with(EvaluationRows.insertRun, EvaluationRows.values(of: run).map(\.postgres)))
    }

    public func run(id: String) async throws -> EvaluationRun? {
        try await rows(.with("SELECT * FROM evaluation_runs WHERE id = ?", [id])).first.map(Self.evaluationRun)
    }

    public func runs(in scope: TeamScope, prompt: RegistryName?, limit: Int) async throws -> [EvaluationRun] {
        var statement = PostgresStatement("SELECT * FROM evaluation_runs WHERE TRUE")
        if case .team(let team) = scope {
            statement.append(" AND team = ")
            statement.bind(team ?? "")
        }
        if let prompt {
            statement.append(" AND prompt_team = ")
            statement.bind(prompt.team ?? "")
            statement.append(" AND prompt_name = ")
            statement.bind(prompt.name)
        }
        statement.append(" ORDER BY started_at DESC, id LIMIT ")
        statement.bind(limit)
        return try await rows(statement).map(Self.evaluationRun)
    }

    /// One statement for each thousand results.
    public func record(_ results: [EvaluationResult], run: String) async throws -> Int {
        var kept = 0
        for start in stride(from: 0, to: results.count, by: 1_000) {
            let batch = results[start..<min(start + 1_000, results.count)]
            let placeholders = Array(repeating: "(?, ?, ?, ?, ?)", count: batch.count).joined(separator: ", ")
            let sql =
                "INSERT INTO evaluation_results (run_id, case_id, outcome, finished_at, body) VALUES \(placeholders) ON CONFLICT DO NOTHING RETURNING case_id"
            kept += try await rows(.with(sql, batch.flatMap { EvaluationRows.resultValues(of: $0, run: run).map(\.postgres) })).count
        }
        return kept
    }

    public func results(of run: String) async throws -> [EvaluationResult] {
        try await rows(.with("SELECT body FROM evaluation_results WHERE run_id = ? ORDER BY finished_at, case_id", [run]))
            .map { try EvaluationResult(json: try JSONParser.parse(try $0.value("body", as: String.self))) }
    }

    public func finish(run: String, at now: Date) async throws {
        try await execute(.with("UPDATE evaluation_runs SET finished_at = ? WHERE id = ?", [now.timeIntervalSince1970, run]))
    }

    private static func evaluationRun(_ row: PostgresRandomAccessRow) throws -> EvaluationRun {
        try EvaluationRows.run(
            EvaluationRows.Fields(
                id: try row.value("id"),
                team: try row.value("team"),
                promptTeam: try row.value("prompt_team"),
                promptName: try row.value("prompt_name"),
                promptVersion: try row.value("prompt_version"),
                datasetTeam: try row.value("dataset_team"),
                datasetName: try row.value("dataset_name"),
                datasetVersion: try row.value("dataset_version"),
                route: try row.value("route"),
                plan: try row.value("plan"),
                cases: try row.value("cases"),
                startedAt: try row.value("started_at"),
                finishedAt: try row.value("finished_at"),
                createdBy: try row.value("created_by")
            )
        )
    }
}
