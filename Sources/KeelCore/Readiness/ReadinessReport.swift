import Foundation

/// Whether a route is ready for production, check by check, each with its evidence and what is
/// missing or stale: `keel readiness ROUTE`, `/api/readiness/{route}` and the dashboard's page.
public struct ReadinessReport: Sendable {
    public var route: String
    public var generatedAt: Date
    public var findings: [ReadinessFinding]

    public var ready: Bool { findings.allSatisfy(\.passed) }

    public init(_ evidence: ReadinessEvidence) {
        route = evidence.route.name
        generatedAt = evidence.now
        findings = [Self.risk(evidence), Self.data(evidence), Self.evaluation(evidence), Self.fallback(evidence), Self.monitoring(evidence)]
    }

    /// Risk tiers, and a review path for the high one: the review settings and someone to decide.
    static func risk(_ evidence: ReadinessEvidence) -> ReadinessFinding {
        var finding = ReadinessFinding(check: .risk)
        let route = evidence.route
        guard let risk = route.risk else {
            finding.missing.append("no risk policy: give the route a 'risk' section whose rules tier its cases")
            return finding
        }
        finding.evidence.append("risk policy: \(risk.high.count) rule(s) make a case high, \(risk.medium.count) medium; the rest is low")
        if risk.high.isEmpty { finding.missing.append("no rule makes a case high (risk.high)") }
        if let review = route.review {
            let callback = review.callbackURL == nil ? "" : ", decided answers called back"
            finding.evidence.append(
                "high cases are held for review: the client waits \(Self.number(review.waitSeconds)) s, escalated after \(Self.number(review.slaMinutes)) min\(callback)"
            )
        } else {
            finding.missing.append("no review path: give the route a 'review' section (how long clients wait, the SLA) for its held cases")
        }
        if evidence.reviewers == 0 {
            finding.missing.append("no active key may decide reviews: create one with the reviewer role")
        } else {
            finding.evidence.append("\(evidence.reviewers) key(s) may decide reviews; \(evidence.pendingReviews) case(s) wait for a decision now")
        }
        return finding
    }

    /// A contract, and a recent batch of sample records run through it.
    static func data(_ evidence: ReadinessEvidence) -> ReadinessFinding {
        var finding = ReadinessFinding(check: .data)
        guard let contract = evidence.route.contract else {
            finding.missing.append("no input contract: give the route a 'contract' section for its structured input")
            return finding
        }
        let schema = contract.schema == nil ? "" : " and a JSON Schema"
        finding.evidence.append("input contract: \(contract.fields.count) field(s) normalised\(schema), read from the \(contract.input.rawValue)")
        guard let validation = evidence.validation else {
            finding.missing.append("no batch of sample records was validated: run keel validate --route \(evidence.route.name) --input SAMPLES.jsonl")
            return finding
        }
        let age = evidence.age(of: validation.at)
        let shares = ContractOutcome.Status.allCases.map { "\(Self.percent(validation.share($0))) \($0.rawValue)" }.joined(separator: ", ")
        finding.evidence.append("\(validation.records) sample records of \(validation.source) validated \(age.words): \(shares)")
        if validation.records == 0 { finding.missing.append("the validated batch held no records") }
        if age.stale {
            finding.missing.append("the latest validation is \(age.words), older than \(evidence.maximumDays) days: validate a fresh sample")
        }
        return finding
    }

    /// A finished run of the production prompt version on the gate dataset, recent, whose own gate holds.
    static func evaluation(_ evidence: ReadinessEvidence) -> ReadinessFinding {
        var finding = ReadinessFinding(check: .evaluation)
        let route = evidence.route
        guard let plan = route.evaluation, let dataset = plan.dataset else {
            finding.missing.append("no gate dataset: give the route an 'evaluation' section with a dataset and gate conditions")
            return finding
        }
        let production =
            route.prompt.map { prompt in "\(prompt.name)@\(evidence.productionVersion.map(String.init) ?? "?")" } ?? "the route without a prompt"
        if let prompt = route.prompt, evidence.productionVersion == nil {
            finding.missing.append("the route's prompt \(prompt) names no version yet: push one and label it")
            return finding
        }
        guard let evaluation = evidence.evaluation, let finished = evaluation.report.run.finishedAt else {
            finding.missing.append("\(production) has no finished evaluation on \(dataset): run keel eval run --route \(route.name)")
            return finding
        }
        let report = evaluation.report
        let age = evidence.age(of: finished)
        let overall = report.overall.passRate.map(Self.percent) ?? "–"
        finding.evidence.append(
            "run \(report.run.id) of \(production) on \(report.run.dataset)@\(report.run.datasetVersion), finished \(age.words): \(overall) of \(report.overall.cases) cases passed"
        )
        let groups = (report.categories + report.tiers).map { "\($0.name) \($0.passRate.map(Self.percent) ?? "–") (\($0.cases))" }
        if !groups.isEmpty { finding.evidence.append("by category and tier: " + groups.joined(separator: ", ")) }
        if age.stale { finding.missing.append("the evaluation finished \(age.words), longer ago than \(evidence.maximumDays) days: run it again") }
        finding.missing += evaluation.verdict.failures.map { "the gate fails: \($0)" }
        if evaluation.verdict.holds { finding.evidence.append("the route's gate holds on it") }
        return finding
    }

    /// A fallback chain, degradation, a latency budget, and a recent rehearsal that passed.
    static func fallback(_ evidence: ReadinessEvidence) -> ReadinessFinding {
        var finding = ReadinessFinding(check: .fallback)
        let route = evidence.route
        if route.targets.count > 1 {
            finding.evidence.append("fallback chain: " + route.targets.map(\.name).joined(separator: " → "))
        } else {
            finding.missing.append("no fallback: give the route 'fallbacks' (or a 'balance' of several models)")
        }
        let degrade = route.policy.degradation
        if degrade.isEnabled {
            let modes = [degrade.cacheTTL.map { _ in "the cached answer" }, degrade.staticAnswer.map { _ in "a static answer" }].compactMap { $0 }
            finding.evidence.append("degradation when every model fails: " + modes.joined(separator: ", then "))
        } else {
            finding.missing.append("no degradation: give the route a 'degrade' section (a cache, a static answer)")
        }
        if let budget = route.policy.latencyBudget {
            finding.evidence.append("latency budget \(Int(budget.milliseconds)) ms, at most \(route.policy.maxAttempts) upstream calls")
        } else {
            finding.missing.append("no latency budget: set 'latency_budget_ms'")
        }
        guard let rehearsal = evidence.rehearsal else {
            finding.missing.append("no rehearsal of this route: run keel rehearse SCENARIO --config (a scenario without its own gateway)")
            return finding
        }
        let age = evidence.age(of: rehearsal.at)
        let phases = rehearsal.phases.map { "\($0.name) \(Self.percent($0.successRate)) succeeded" }.joined(separator: "; ")
        finding.evidence.append("rehearsal \(rehearsal.scenario) \(rehearsal.passed ? "passed" : "failed") \(age.words): \(phases)")
        finding.missing += rehearsal.unmet.map { "the latest rehearsal failed: \($0)" }
        if age.stale { finding.missing.append("the latest rehearsal is \(age.words), older than \(evidence.maximumDays) days: rehearse again") }
        return finding
    }

    /// Budgets, alerts that reach someone, and drift monitors in state ok.
    static func monitoring(_ evidence: ReadinessEvidence) -> ReadinessFinding {
        var finding = ReadinessFinding(check: .monitoring)
        if evidence.budgets.isEmpty {
            finding.missing.append("no budget caps the route's spend: add one under 'budgets' (the route, or its callers' team or key)")
        }
        for standing in evidence.budgets {
            let budget = standing.budget
            let used = budget.limit.picodollars > 0 ? Double(standing.spent.picodollars) / Double(budget.limit.picodollars) : 0
            // Cents, unless the limit is less than a dollar.
            let format = budget.limit.dollars < 1 ? "$%.5f" : "$%.2f"
            let (spent, limit) = (String(format: format, standing.spent.dollars), String(format: format, budget.limit.dollars))
            finding.evidence.append("budget of \(budget.scope), per \(budget.window.rawValue): \(spent) of \(limit) spent (\(Self.percent(used)))")
            if used >= 0.9 { finding.evidence.append("the budget of \(budget.scope) is near its limit: requests past it get 429 budget_exceeded") }
        }
        if let channel = evidence.alertChannel {
            finding.evidence.append("alerts are posted to \(channel)\(evidence.alertsConfigured ? ", spend thresholds set" : "")")
        } else {
            finding.missing.append("alerts reach only the log: set alerts.webhook_url so that someone is told")
        }
        guard let monitor = evidence.route.drift else {
            finding.missing.append("no drift monitor: give the route a 'drift' section")
            return finding
        }
        finding.evidence.append("drift monitor over \(monitor.features.map(\.name).joined(separator: ", "))")
        guard let judgement = evidence.drift else {
            finding.missing.append("the drift monitor has judged no window yet")
            return finding
        }
        let judged = evidence.age(of: judgement.judgedAt).words
        switch judgement.state {
        case .ok:
            finding.evidence.append("drift: ok at the window of \(ISO8601DateFormatter.keel.string(from: judgement.windowStart)) (judged \(judged))")
        case .drifting:
            let moved = judgement.findings.filter(\.drifted).map {
                "\($0.feature) (\($0.test.rawValue) \($0.test.isPValue ? "p = " : "")\(String(format: "%.2g", $0.value)))"
            }
            finding.missing.append(
                "the route is drifting: " + (moved.isEmpty ? "calming down" : moved.joined(separator: ", ")) + " (judged \(judged))"
            )
        }
        return finding
    }

    public var json: JSONObject {
        JSONObject([
            ("route", .string(route)), ("generated_at", .string(ISO8601DateFormatter.keel.string(from: generatedAt))), ("ready", .bool(ready)),
            ("checks", .array(findings.map { .object($0.json) })),
        ])
    }

    /// The report for a terminal.
    public var text: String {
        var lines = [
            "Readiness of \(route): \(ready ? "ready" : "not ready (\(findings.filter { !$0.passed }.count) of \(findings.count) checks fail)")"
        ]
        for finding in findings {
            lines.append("")
            lines.append("\(finding.passed ? "✓" : "✗") \(finding.check.title)")
            lines += finding.evidence.map { "    \($0)" }
            lines += finding.missing.map { "    missing: \($0)" }
        }
        return lines.joined(separator: "\n")
    }

    static func percent(_ share: Double) -> String { String(format: "%.0f %%", share * 100) }

    static func number(_ value: Double) -> String { String(format: "%g", value) }
}
