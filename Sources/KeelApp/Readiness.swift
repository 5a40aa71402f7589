import Foundation
import KeelCore
import KeelStore

/// Gathers each route's readiness evidence — its configuration, and what the storage every replica
/// shares holds of it: reviewers and held cases, the latest batch validation and rehearsal (kept in
/// the audit trail), the production prompt's latest evaluation, budgets' spend, the latest drift
/// judgement — and judges it (``ReadinessReport``).
public struct Readiness: Sendable {
    /// How old a validation, an evaluation or a rehearsal may be unless told otherwise.
    public static let defaultMaximumAge: TimeInterval = 30 * 86_400

    public let configuration: KeelConfiguration
    public let storage: KeelStorage
    public let clock: KeelClock

    public init(configuration: KeelConfiguration, storage: KeelStorage, clock: KeelClock = .system) {
        self.configuration = configuration
        self.storage = storage
        self.clock = clock
    }

    /// The report of every chat route, in the configuration's order.
    public func reports(maximumAge: TimeInterval = defaultMaximumAge) async throws -> [ReadinessReport] {
        var reports: [ReadinessReport] = []
        for route in configuration.routes where route.kind == .chat { reports.append(try await report(route: route.name, maximumAge: maximumAge)) }
        return reports
    }

    /// The report of the route `name`; 404 when the configuration has no such route.
    public func report(route name: String, maximumAge: TimeInterval = defaultMaximumAge) async throws -> ReadinessReport {
        guard let route = configuration.routes.first(where: { $0.name == name }) else {
            throw KeelError(.notFound, "There is no route '\(name)'.", param: "route")
        }
        let now = clock.now()
        var evidence = ReadinessEvidence(route: route, now: now, maximumAge: maximumAge)
        evidence.reviewers = try await storage.keys.keys(in: .all).filter { $0.isActive(at: now) && $0.allows(.review) }.count
        evidence.pendingReviews = try await storage.reviews.reviews(statuses: [.pending, .claimed], in: .all, now: now, limit: 10_000)
            .filter { $0.route == name }.count
        evidence.validation = try await latest(ValidationEvidence.self, of: name)
        evidence.rehearsal = try await latest(RehearsalEvidence.self, of: name)
        try await gatherEvaluation(of: route, into: &evidence)
        for budget in configuration.budgets where Self.capsCallers(budget, of: name) {
            let spent = try await Gateway.openingSpend(of: budget, since: budget.window.bounds(of: now).start, in: storage)
            evidence.budgets.append(ReadinessEvidence.BudgetStanding(budget: budget, spent: spent))
        }
        evidence.alertChannel = configuration.alerts.webhookURL.flatMap { URL(string: $0)?.host }
        evidence.alertsConfigured = configuration.alerts.spend.isEnabled
        evidence.drift = try await storage.drift.judgements(route: name, limit: 1).first
        return ReadinessReport(evidence)
    }

    /// Whether `budget` caps the spend of the route's traffic: the route's own, or its callers' (a team's or a key's).
    static func capsCallers(_ budget: Budget, of route: String) -> Bool {
        switch budget.scope {
        case .route(let name): name == route
        case .team, .key: true
        }
    }

    /// The route's latest evidence of a kind the audit trail keeps.
    private func latest<Evidence: AuditedEvidence>(_ kind: Evidence.Type, of route: String) async throws -> Evidence? {
        try await storage.audit.latestAuditRecords(kind: Evidence.kind, limit: 500).lazy.compactMap(Evidence.init(audit:)).first { $0.route == route }
    }

    /// The production version of the route's prompt, and its latest finished run on the gate dataset.
    private func gatherEvaluation(of route: Route, into evidence: inout ReadinessEvidence) async throws {
        guard let plan = route.evaluation, let dataset = plan.dataset else { return }
        var runs = try await storage.evaluations.runs(in: .all, prompt: nil, limit: 500)
        if let reference = route.prompt {
            let registry = Gateway.promptRegistry(storage)
            guard let prompt = try? await registry.find(reference.name, team: nil),
                let version = try? await registry.version(reference.selector, of: prompt)
            else { return }
            evidence.productionVersion = version.number
            runs = try await storage.evaluations.runs(in: .all, prompt: prompt, limit: 500).filter { $0.promptVersion == version.number }
        }
        guard let run = runs.first(where: { $0.route == route.name && $0.dataset.name == dataset && $0.finishedAt != nil }) else { return }
        let report = try await EvaluationReports(evaluations: storage.evaluations, datasets: storage.datasets).report(run.id).report
        evidence.evaluation = ReadinessEvidence.Evaluation(report: report, verdict: GateVerdict(conditions: plan.gate, candidate: report, base: nil))
    }
}
