import Foundation

/// Storage for evaluation runs and their cases' results.
public protocol EvaluationStore: Sendable {
    func createRun(_ run: EvaluationRun) async throws
    func run(id: String) async throws -> EvaluationRun?
    /// Runs visible in `scope`, newest first; of one prompt when `prompt` is given.
    func runs(in scope: TeamScope, prompt: RegistryName?, limit: Int) async throws -> [EvaluationRun]
    /// Keeps cases' results, in one transaction; the first result of a case stands (a resumed run
    /// cannot score it twice). Returns how many were kept.
    @discardableResult
    func record(_ results: [EvaluationResult], run: String) async throws -> Int
    /// The results of a run, in the order they were recorded.
    func results(of run: String) async throws -> [EvaluationResult]
    func finish(run: String, at: Date) async throws
}
