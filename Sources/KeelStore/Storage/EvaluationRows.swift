import Foundation
import KeelCore

/// An evaluation run as both backends store it: one row of `evaluation_runs`.
enum EvaluationRows {
    static let insertRun = """
        INSERT INTO evaluation_runs (
            id, team, prompt_team, prompt_name, prompt_version, dataset_team, dataset_name, dataset_version, route, plan, cases,
            started_at, finished_at, created_by
        ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    static func values(of run: EvaluationRun) -> [StoredValue] {
        [
            .text(run.id), .text(run.team ?? ""), .text(run.prompt.map { $0.team ?? "" }), .text(run.prompt?.name), .integer(run.promptVersion),
            .text(run.dataset.team ?? ""), .text(run.dataset.name), .integer(run.datasetVersion), .text(run.route), .text(run.plan.json.jsonString),
            .integer(run.caseCount), .real(run.startedAt.timeIntervalSince1970), .real(run.finishedAt?.timeIntervalSince1970), .text(run.createdBy),
        ]
    }

    static func resultValues(of result: EvaluationResult, run: String) -> [StoredValue] {
        [
            .text(run), .text(result.caseID), .text(result.outcome.rawValue), .real(result.finishedAt.timeIntervalSince1970),
            .text(JSONValue.object(result.json).jsonString),
        ]
    }

    /// A row's columns, read by each backend its own way.
    struct Fields {
        var id: String
        var team: String
        var promptTeam: String?
        var promptName: String?
        var promptVersion: Int?
        var datasetTeam: String
        var datasetName: String
        var datasetVersion: Int
        var route: String
        var plan: String
        var cases: Int
        var startedAt: Double
        var finishedAt: Double?
        var createdBy: String?
    }

    static func run(_ fields: Fields) throws -> EvaluationRun {
        func team(_ stored: String) -> String? { stored.isEmpty ? nil : stored }
        return EvaluationRun(
            id: fields.id,
            team: team(fields.team),
            prompt: fields.promptName.map { RegistryName(team: team(fields.promptTeam ?? ""), name: $0) },
            promptVersion: fields.promptVersion,
            dataset: RegistryName(team: team(fields.datasetTeam), name: fields.datasetName),
            datasetVersion: fields.datasetVersion,
            route: fields.route,
            plan: try EvaluationPlan(json: try JSONParser.parse(fields.plan)),
            caseCount: fields.cases,
            startedAt: Date(timeIntervalSince1970: fields.startedAt),
            finishedAt: fields.finishedAt.map(Date.init(timeIntervalSince1970:)),
            createdBy: fields.createdBy
        )
    }
}
