import Foundation
import KeelCore
import KeelStore
import Logging

/// What `keel eval` and `keel prompts promote` do: start and resume runs, report and compare them,
/// check a route's gate and promote through it — over the configured storage, with the configured
/// gateway.
public struct Evaluations: Sendable {
    /// A run ready to send: its record, its dataset's cases and the prompt's answer schema.
    public struct Prepared: Sendable {
        public var run: EvaluationRun
        public var cases: [EvaluationCase]
        public var answerSchema: JSONValue?
    }

    public let configuration: KeelConfiguration
    public let storage: KeelStorage
    public let logger: Logger

    public init(configuration: KeelConfiguration, storage: KeelStorage, logger: Logger = Logger(label: "keel.eval")) {
        self.configuration = configuration
        self.storage = storage
        self.logger = logger
    }

    /// A new run of `prompt` (or of the cases' own messages, without one) through `route`, over
    /// `dataset` (`NAME` or `NAME@VERSION`; the route's evaluation dataset, unless given), scored by
    /// `scorers` (the route's, unless given).
    public func start(
        prompt reference: PromptReference?,
        dataset: String?,
        route name: String,
        scorers: [Scorer]?,
        team: String?,
        by actor: String?
    ) async throws -> Prepared {
        var plan = try self.plan(of: name)
        if let scorers, !scorers.isEmpty { plan.scorers = scorers }
        if let dataset {
            let parsed = try EvaluationPlan(json: ["dataset": .string(dataset)])
            (plan.dataset, plan.datasetVersion) = (parsed.dataset, parsed.datasetVersion)
        }
        guard let datasetName = plan.dataset else {
            throw KeelError(.missingField, "Name a dataset (--dataset), or give the route '\(name)' an evaluation dataset.", param: "dataset")
        }
        let (dataset, datasetVersion) = try await findDataset(datasetName, version: plan.datasetVersion, team: team)
        let cases = try await storage.datasets.cases(of: dataset, version: datasetVersion)
        var prompt: PromptVersion?
        if let reference {
            let registry = Gateway.promptRegistry(storage)
            let name = try await registry.find(reference.name, team: team)
            prompt = try await registry.version(reference.selector, of: name)
        } else if let withVariables = cases.first(where: { $0.variables != nil }) {
            throw KeelError(
                .invalidRequest,
                "Case '\(withVariables.id)' has variables: name the prompt they are for (--prompt NAME@VERSION).",
                param: "prompt"
            )
        }
        let run = EvaluationRun(
            team: team,
            prompt: prompt?.prompt,
            promptVersion: prompt?.number,
            dataset: dataset,
            datasetVersion: datasetVersion,
            route: name,
            plan: plan.withoutGate,
            caseCount: cases.count,
            startedAt: Date(),
            createdBy: actor
        )
        try await storage.evaluations.createRun(run)
        return Prepared(run: run, cases: cases, answerSchema: prompt?.template.responseSchema.map(JSONValue.object))
    }

    /// A run as it was started, to send the cases it has no result for.
    public func resume(_ id: String) async throws -> Prepared {
        let run = try await reports.run(id)
        let cases = try await storage.datasets.cases(of: run.dataset, version: run.datasetVersion)
        var schema: JSONValue?
        if let prompt = run.prompt, let version = run.promptVersion {
            schema = try await storage.prompts.version(version, of: prompt)?.template.responseSchema.map(JSONValue.object)
        }
        return Prepared(run: run, cases: cases, answerSchema: schema)
    }

    /// Sends a prepared run's remaining cases through the gateway.
    public func execute(
        _ prepared: Prepared,
        concurrency: Int,
        progress: @escaping @Sendable (EvaluationRunner.Progress) -> Void = { _ in }
    ) async throws -> EvaluationRunner.Timing {
        try await EvaluationGateway.with(configuration: configuration, storage: storage, team: prepared.run.team, logger: logger) { gateway in
            try await EvaluationRunner(gateway: gateway)
                .run(prepared.run, cases: prepared.cases, answerSchema: prepared.answerSchema, concurrency: concurrency, progress: progress)
        }
    }

    /// Stored runs read back as reports and comparisons.
    public var reports: EvaluationReports { EvaluationReports(evaluations: storage.evaluations, datasets: storage.datasets) }

    /// A run's report, with its results and its dataset's cases, in the dataset's order.
    public func report(_ id: String) async throws -> (report: EvaluationReport, results: [EvaluationResult], cases: [EvaluationCase]) {
        try await reports.report(id)
    }

    /// The evaluation plan of a chat route in the configuration (the defaults when it has none).
    func plan(of name: String) throws -> EvaluationPlan {
        guard let route = configuration.routes.first(where: { $0.name == name }) else {
            throw KeelError(.notFound, "There is no route '\(name)' in the configuration.", param: "route")
        }
        guard route.kind == .chat else {
            throw KeelError(.invalidRequest, "The route '\(name)' serves embeddings; evaluations run chat routes.", param: "route")
        }
        return route.evaluation ?? EvaluationPlan()
    }

    /// The team's dataset of that name, else the shared one; its latest version unless one is named.
    func findDataset(_ name: String, version: Int?, team: String?) async throws -> (RegistryName, Int) {
        for candidate in [RegistryName(team: team, name: name), RegistryName(team: nil, name: name)] {
            let versions = try await storage.datasets.versions(of: candidate)
            guard let latest = versions.last else { continue }
            guard let version else { return (candidate, latest.number) }
            guard versions.contains(where: { $0.number == version }) else {
                throw KeelError(.notFound, "The dataset '\(candidate)' has no version \(version).", param: "dataset")
            }
            return (candidate, version)
        }
        throw KeelError(.notFound, "There is no dataset '\(name)'.", param: "dataset")
    }
}

extension EvaluationPlan {
    /// The plan without its gate: what a run is scored by (the gate is the route's, read when checked).
    var withoutGate: EvaluationPlan {
        var plan = self
        plan.gate = []
        return plan
    }
}
