import Foundation
import KeelCore
import KeelStore

extension Evaluations {
    /// A route's gate checked for a prompt version about to take a label.
    public struct GateCheck: Sendable {
        public var prompt: RegistryName
        public var version: Int
        public var label: String
        public var route: String
        /// The version holding the label now, if any.
        public var holder: Int?
        public var candidate: EvaluationRun
        public var base: EvaluationRun?
        public var verdict: GateVerdict
    }

    /// Checks the gate of `route` (or of the route whose default prompt `name` is) for `version` of
    /// the prompt, against the version holding `label`. Each is judged by its latest finished run
    /// of the gate's dataset version, scorers and route no older than `freshness`, and evaluated
    /// now when it has none; `progress` hears which one runs.
    public func checkGate(
        prompt name: String,
        version: Int,
        label: String,
        route routeName: String?,
        team: String?,
        freshness: Duration,
        concurrency: Int,
        by actor: String?,
        progress: @escaping @Sendable (String, EvaluationRunner.Progress) -> Void = { _, _ in }
    ) async throws -> GateCheck {
        let registry = Gateway.promptRegistry(storage)
        let prompt = try await registry.find(name, team: team)
        _ = try await registry.version(.version(version), of: prompt)
        let route = try guardingRoute(of: prompt.name, named: routeName)
        let plan = try self.plan(of: route)
        guard !plan.gate.isEmpty else {
            throw KeelError(.invalidRequest, "The route '\(route)' has no gate: give its 'evaluation' a 'gate' of conditions.", param: "route")
        }
        guard let datasetName = plan.dataset else {
            throw KeelError(.invalidRequest, "The route '\(route)''s evaluation names no dataset for its gate.", param: "route")
        }
        let (dataset, datasetVersion) = try await findDataset(datasetName, version: plan.datasetVersion, team: team)
        let holder = try await storage.prompts.labels(of: prompt)[label]
        func report(of version: Int) async throws -> (EvaluationRun, EvaluationReport) {
            let run: EvaluationRun
            if let fresh = try await freshRun(
                of: prompt,
                version: version,
                route: route,
                plan: plan,
                dataset: dataset,
                datasetVersion: datasetVersion,
                within: freshness
            ) {
                run = fresh
            } else {
                let prepared = try await start(
                    prompt: PromptReference(name: prompt.name, selector: .version(version)),
                    dataset: "\(dataset.name)@\(datasetVersion)",
                    route: route,
                    scorers: plan.scorers,
                    team: prompt.team,
                    by: actor
                )
                _ = try await execute(prepared, concurrency: concurrency) { progress("\(prompt)@\(version)", $0) }
                run = prepared.run
            }
            return (run, try await self.report(run.id).report)
        }
        let (candidateRun, candidate) = try await report(of: version)
        var base: (EvaluationRun, EvaluationReport)?
        if let holder { base = try await report(of: holder) }
        return GateCheck(
            prompt: prompt,
            version: version,
            label: label,
            route: route,
            holder: holder,
            candidate: candidateRun,
            base: base?.0,
            verdict: GateVerdict(conditions: plan.gate, candidate: candidate, base: base?.1)
        )
    }

    /// Moves `label` to `version` when the route's gate holds; otherwise records the refusal, with
    /// every failed condition, and leaves the label where it is.
    public func promote(
        prompt name: String,
        version: Int,
        label: String,
        route: String?,
        team: String?,
        freshness: Duration,
        concurrency: Int,
        by actor: String?,
        reason: String?,
        progress: @escaping @Sendable (String, EvaluationRunner.Progress) -> Void = { _, _ in }
    ) async throws -> GateCheck {
        let check = try await checkGate(
            prompt: name,
            version: version,
            label: label,
            route: route,
            team: team,
            freshness: freshness,
            concurrency: concurrency,
            by: actor,
            progress: progress
        )
        if check.verdict.holds {
            let why = [reason, "gate of \(check.route) held (run \(check.candidate.id))"].compactMap { $0 }.joined(separator: "; ")
            _ = try await Gateway.promptRegistry(storage).label(label, of: check.prompt, to: version, by: actor, reason: why)
        } else {
            let why = "gate of \(check.route) (run \(check.candidate.id)): " + check.verdict.failures.joined(separator: "; ")
            try await Gateway.promptRegistry(storage).refuse(label, of: check.prompt, version: version, by: actor, reason: why)
        }
        return check
    }

    /// The route named, or the one configured with `prompt` as its default.
    func guardingRoute(of prompt: String, named name: String?) throws -> String {
        if let name { return name }
        let guarding = configuration.routes.filter { $0.prompt?.name == prompt && $0.evaluation?.gate.isEmpty == false }
        guard guarding.count == 1, let route = guarding.first else {
            throw KeelError(
                .missingField,
                guarding.isEmpty
                    ? "No route with a gate has '\(prompt)' as its prompt: name the route whose gate applies (--route)."
                    : "Several routes with a gate use '\(prompt)' (\(guarding.map(\.name).joined(separator: ", "))): name one (--route).",
                param: "route"
            )
        }
        return route.name
    }

    /// The latest finished run of `version` through `route` over the dataset version with the
    /// plan's scorers and limits, started within `freshness`.
    func freshRun(
        of prompt: RegistryName,
        version: Int,
        route: String,
        plan: EvaluationPlan,
        dataset: RegistryName,
        datasetVersion: Int,
        within freshness: Duration
    ) async throws -> EvaluationRun? {
        let since = Date().addingTimeInterval(-Double(freshness.components.seconds))
        let scoring = plan.withoutGate
        return try await storage.evaluations.runs(in: .team(prompt.team), prompt: prompt, limit: 100).first { run in
            run.promptVersion == version && run.route == route && run.dataset == dataset && run.datasetVersion == datasetVersion
                && run.finishedAt != nil && run.startedAt >= since && run.plan.scorers == scoring.scorers
                && run.plan.maximumLatencyMs == scoring.maximumLatencyMs && run.plan.maximumCost == scoring.maximumCost
        }
    }
}
