/// Reads stored runs back as reports and comparisons: what `keel eval report|compare`, the API and
/// the dashboard show.
public struct EvaluationReports: Sendable {
    public let evaluations: any EvaluationStore
    public let datasets: any DatasetStore

    public init(evaluations: any EvaluationStore, datasets: any DatasetStore) {
        self.evaluations = evaluations
        self.datasets = datasets
    }

    /// The run `id` when `scope` may see it.
    public func run(_ id: String, in scope: TeamScope = .all) async throws -> EvaluationRun {
        guard let run = try await evaluations.run(id: id), scope.includes(run.team) else {
            throw KeelError(.notFound, "There is no evaluation run '\(id)'.")
        }
        return run
    }

    /// A run's report, with its results and its dataset's cases, both in the dataset's order.
    public func report(
        _ id: String,
        in scope: TeamScope = .all
    ) async throws -> (
        report: EvaluationReport, results: [EvaluationResult], cases: [EvaluationCase]
    ) {
        let run = try await self.run(id, in: scope)
        let cases = try await datasets.cases(of: run.dataset, version: run.datasetVersion)
        let position = Dictionary(cases.enumerated().map { ($0.element.id, $0.offset) }, uniquingKeysWith: { first, _ in first })
        let results = try await evaluations.results(of: id).sorted { (position[$0.caseID] ?? .max) < (position[$1.caseID] ?? .max) }
        return (EvaluationReport(run: run, cases: cases, results: results), results, cases)
    }

    /// Two runs compared case by case; they must share a dataset version.
    public func compare(_ baseID: String, _ candidateID: String, in scope: TeamScope = .all) async throws -> EvaluationComparison {
        let base = try await report(baseID, in: scope)
        let candidate = try await report(candidateID, in: scope)
        let (old, new) = (base.report.run, candidate.report.run)
        guard old.dataset == new.dataset, old.datasetVersion == new.datasetVersion else {
            throw KeelError(
                .invalidRequest,
                "The runs are over different datasets (\(old.dataset)@\(old.datasetVersion), \(new.dataset)@\(new.datasetVersion)): compare runs of one dataset version."
            )
        }
        return EvaluationComparison(
            base: base.report,
            baseResults: base.results,
            candidate: candidate.report,
            candidateResults: candidate.results,
            cases: candidate.cases
        )
    }
}
