import Foundation

/// One evaluation: a prompt version (or none, for cases that bring their messages) run over a
/// dataset version through a route, scored by the plan's scorers. Its cases' results are stored as
/// they finish, so that an interrupted run resumes where it stopped.
public struct EvaluationRun: Sendable, Hashable {
    public var id: String
    /// The team whose run it is (and whose key made its requests); `nil` for the shared namespace.
    public var team: String?
    public var prompt: RegistryName?
    public var promptVersion: Int?
    public var dataset: RegistryName
    public var datasetVersion: Int
    public var route: String
    /// The scorers and limits the results were scored with (its gate is the route's, read when checked).
    public var plan: EvaluationPlan
    public var caseCount: Int
    public var startedAt: Date
    public var finishedAt: Date?
    public var createdBy: String?

    public init(
        id: String = RandomID.make(prefix: "eval_"),
        team: String?,
        prompt: RegistryName?,
        promptVersion: Int?,
        dataset: RegistryName,
        datasetVersion: Int,
        route: String,
        plan: EvaluationPlan,
        caseCount: Int,
        startedAt: Date,
        finishedAt: Date? = nil,
        createdBy: String?
    ) {
        self.id = id
        self.team = team
        self.prompt = prompt
        self.promptVersion = promptVersion
        self.dataset = dataset
        self.datasetVersion = datasetVersion
        self.route = route
        self.plan = plan
        self.caseCount = caseCount
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.createdBy = createdBy
    }

    /// `triage@3`, or `messages` for a run without a prompt.
    public var subject: String {
        guard let prompt, let promptVersion else { return "messages" }
        return "\(prompt)@\(promptVersion)"
    }

    public var json: JSONObject {
        var object = JSONObject([("id", .string(id)), ("team", JSONValue(team))])
        object["prompt"] = JSONValue(prompt?.description)
        object["prompt_version"] = promptVersion.map(JSONValue.init) ?? .null
        object["dataset"] = .string(dataset.description)
        object["dataset_version"] = JSONValue(datasetVersion)
        object["route"] = .string(route)
        object["plan"] = plan.json
        object["cases"] = JSONValue(caseCount)
        object["started_at"] = .string(ISO8601DateFormatter.keel.string(from: startedAt))
        object["finished_at"] = JSONValue(finishedAt.map { ISO8601DateFormatter.keel.string(from: $0) })
        object["created_by"] = JSONValue(createdBy)
        return object
    }
}
