import Foundation

/// One immutable version of a dataset: its number within the dataset, its cases' hash and count,
/// and who pushed it when. Datasets are named within a team like prompts (``RegistryName``).
public struct DatasetVersion: Sendable, Hashable {
    public var dataset: RegistryName
    public var number: Int
    public var contentHash: String
    public var caseCount: Int
    public var createdAt: Date
    public var createdBy: String?

    public init(dataset: RegistryName, number: Int, contentHash: String, caseCount: Int, createdAt: Date, createdBy: String?) {
        self.dataset = dataset
        self.number = number
        self.contentHash = contentHash
        self.caseCount = caseCount
        self.createdAt = createdAt
        self.createdBy = createdBy
    }
}

/// Storage for datasets: immutable versions of cases.
public protocol DatasetStore: Sendable {
    /// Adds `cases` as the next version of `dataset`, or returns the version that already has
    /// these cases (`created` false).
    func push(
        _ cases: [EvaluationCase],
        as dataset: RegistryName,
        by actor: String?,
        at now: Date
    ) async throws -> (
        version: DatasetVersion, created: Bool
    )
    /// The latest version of each dataset visible in `scope` (a team's own and the shared ones).
    func datasets(in scope: TeamScope) async throws -> [DatasetVersion]
    func versions(of dataset: RegistryName) async throws -> [DatasetVersion]
    /// The cases of a version, in their order.
    func cases(of dataset: RegistryName, version: Int) async throws -> [EvaluationCase]
}
