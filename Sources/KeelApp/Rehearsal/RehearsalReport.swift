import Foundation
import KeelCore
import KeelStore

/// What a rehearsal measured, phase by phase, and which of the scenario's expectations held.
public struct RehearsalReport: Sendable {
    /// The allowance over a route's latency budget before a request counts as over it.
    public static let budgetMargin: Duration = .milliseconds(50)

    /// One request: its log record, the phase it was sent in, and when it started (seconds from the start).
    public struct Sample: Sendable {
        public var record: RequestRecord
        public var phase: Int
        public var at: Double
    }

    /// A breaker's change of state during the run.
    public struct Transition: Sendable {
        public var at: Duration
        public var phase: Int
        public var deployment: String
        public var from: CircuitBreaker.State
        public var to: CircuitBreaker.State
    }

    /// The figures of one phase.
    public struct PhaseFigures: Sendable {
        public var name: String
        public var requests = 0
        public var succeeded = 0
        public var degraded = 0
        public var p50Ms = 0.0
        public var p99Ms = 0.0
        public var maxMs = 0.0
        public var overBudget = 0
        /// Upstream calls, all deployments.
        public var attempts = 0
        public var attemptsByDeployment: [String: Int] = [:]
        /// Prompt tokens sent by attempts that failed, and their price at the failed deployment's input rate.
        public var retryTokens = 0
        public var retryCost = Money.zero
        /// Failures the clients saw, by error code.
        public var failures: [String: Int] = [:]
        /// For each deployment whose breaker was open during the phase: requests sent while it was
        /// open, and how many of them still reached it (probes aside).
        public var whileOpen: [String: (requests: Int, reached: Int)] = [:]

        public var successRate: Double { requests == 0 ? 1 : Double(succeeded) / Double(requests) }
        public var amplification: Double { requests == 0 ? 0 : Double(attempts) / Double(requests) }

        /// The share of requests sent while `deployment`'s breaker was open that still reached it.
        public func shareWhileOpen(_ deployment: String) -> Double? {
            whileOpen[deployment].map { $0.requests == 0 ? 0 : Double($0.reached) / Double($0.requests) }
        }
    }

    public let scenario: RehearsalScenario
    public let phases: [PhaseFigures]
    public let transitions: [Transition]
    public let budget: Duration?

    /// Whether a request counts as answered: a 200 that did not fail mid-stream, degraded or not.
    static func succeeded(_ record: RequestRecord) -> Bool {
        record.status == 200 && (record.errorCode == nil || record.degraded != nil)
    }

    init(scenario: RehearsalScenario, samples: [Sample], transitions: [Transition]) {
        self.scenario = scenario
        self.transitions = transitions.sorted { $0.at < $1.at }
        let route = scenario.gateway.routes.first { $0.name == scenario.traffic.route }
        self.budget = route?.policy.latencyBudget
        let prices = Dictionary(scenario.gateway.models.map { ($0.name, $0.price) }, uniquingKeysWith: { first, _ in first })
        var phaseStart = 0.0
        var figures: [PhaseFigures] = []
        for (index, phase) in scenario.phases.enumerated() {
            var figure = PhaseFigures(name: phase.name)
            let mine = samples.filter { $0.phase == index }
            figure.requests = mine.count
            let durations = mine.map(\.record.durationMs).sorted()
            figure.p50Ms = Self.percentile(durations, 0.50)
            figure.p99Ms = Self.percentile(durations, 0.99)
            figure.maxMs = durations.last ?? 0
            let limit = budget.map { ($0 + Self.budgetMargin).milliseconds }
            for sample in mine {
                let record = sample.record
                if Self.succeeded(record) {
                    figure.succeeded += 1
                } else {
                    figure.failures[record.errorCode ?? "status_\(record.status)", default: 0] += 1
                }
                if record.degraded != nil { figure.degraded += 1 }
                if let limit, record.durationMs > limit { figure.overBudget += 1 }
                figure.attempts += record.attempts.count
                for attempt in record.attempts {
                    figure.attemptsByDeployment[attempt.model, default: 0] += 1
                    if attempt.error != nil, let prompt = record.promptTokens {
                        figure.retryTokens += prompt
                        figure.retryCost = figure.retryCost + (prices[attempt.model]?.input ?? .zero) * prompt
                    }
                }
            }
            for deployment in scenario.gateway.models.map(\.name) {
                let timeline = self.transitions.filter { $0.deployment == deployment }
                let whileOpen = mine.filter { Self.breakerWasOpen(timeline, at: $0.at) }
                guard !whileOpen.isEmpty else { continue }
                let reached = whileOpen.reduce(0) { $0 + $1.record.attempts.filter { $0.model == deployment }.count }
                let phaseEnd = phaseStart + phase.duration.seconds
                let probes = timeline.filter { $0.to == .halfOpen && (phaseStart..<phaseEnd).contains($0.at.seconds) }.count
                figure.whileOpen[deployment] = (whileOpen.count, max(0, reached - probes))
            }
            figures.append(figure)
            phaseStart += phase.duration.seconds
        }
        self.phases = figures
    }

    /// Whether the breaker with these transitions was open (or probing) at `time`, in seconds from the start.
    private static func breakerWasOpen(_ timeline: [Transition], at time: Double) -> Bool {
        guard let last = timeline.last(where: { $0.at.seconds <= time }) else { return false }
        return last.to != .closed
    }

    /// The expectations that did not hold, one sentence each; empty when all held.
    public var unmet: [String] {
        var unmet: [String] = []
        for (phase, figures) in zip(scenario.phases, phases) {
            let expected = phase.expectations
            if let rate = expected.successRate, figures.successRate < rate {
                unmet.append("\(phase.name): \(Self.percent(figures.successRate)) succeeded, expected at least \(Self.percent(rate)).")
            }
            if let most = expected.overBudget, figures.overBudget > most {
                unmet.append("\(phase.name): \(figures.overBudget) requests ran past the budget + 50 ms, expected at most \(most).")
            }
            if let most = expected.amplification, figures.amplification > most {
                unmet.append("\(phase.name): \(Self.ratio(figures.amplification)) upstream calls per request, expected at most \(Self.ratio(most)).")
            }
            for (deployment, most) in expected.shareWhileOpen.sorted(by: { $0.key < $1.key }) {
                guard let share = figures.shareWhileOpen(deployment) else {
                    unmet.append("\(phase.name): the breaker of \(deployment) was never open.")
                    continue
                }
                if share > most {
                    unmet.append(
                        "\(phase.name): \(Self.percent(share)) of requests sent while \(deployment)'s breaker was open reached it, expected at most \(Self.percent(most))."
                    )
                }
            }
        }
        return unmet
    }

    /// The report as text: a table of phases, the breaker transitions, and the expectations.
    /// Keeps the rehearsal in the audit trail of `storage` as readiness evidence of its traffic's
    /// route, the scenario named by `file`; returns it.
    public func keep(scenario file: String, in storage: KeelStorage, by actor: String) async throws -> RehearsalEvidence {
        let evidence = RehearsalEvidence(
            route: scenario.traffic.route,
            at: Date(),
            scenario: URL(fileURLWithPath: file).lastPathComponent,
            phases: phases.map { RehearsalEvidence.Phase(name: $0.name, successRate: $0.successRate) },
            unmet: unmet
        )
        _ = try await AuditTrail(store: storage.audit).record(evidence.event(by: actor))
        return evidence
    }

    public func render() -> String {
        var lines: [String] = []
        let budgetText = budget.map { "\(Int($0.milliseconds)) ms" } ?? "none"
        lines.append("Route \(scenario.traffic.route), \(Self.number(scenario.traffic.rate)) requests/s, latency budget \(budgetText)")
        lines.append("")
        let header = ["phase", "requests", "ok", "degraded", "p50 ms", "p99 ms", "max ms", "over budget", "calls/req", "retry tokens", "retry cost"]
        var rows = [header]
        for figure in phases {
            rows.append([
                figure.name, String(figure.requests), Self.percent(figure.successRate),
                Self.percent(figure.requests == 0 ? 0 : Double(figure.degraded) / Double(figure.requests)),
                Self.number(figure.p50Ms), Self.number(figure.p99Ms), Self.number(figure.maxMs), String(figure.overBudget),
                Self.ratio(figure.amplification), String(figure.retryTokens), String(format: "$%.4f", figure.retryCost.dollars),
            ])
        }
        lines += Self.table(rows)
        lines.append("")
        lines.append("Upstream calls by deployment")
        for figure in phases {
            let calls = figure.attemptsByDeployment.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            let failures = figure.failures.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            lines.append("  \(figure.name): \(calls.isEmpty ? "none" : calls)\(failures.isEmpty ? "" : "; failed: \(failures)")")
            for (deployment, counts) in figure.whileOpen.sorted(by: { $0.key < $1.key }) {
                let share = Self.percent(figure.shareWhileOpen(deployment) ?? 0)
                lines.append(
                    "    while \(deployment)'s breaker was open: \(counts.reached) of \(counts.requests) requests reached it, probes aside (\(share))"
                )
            }
        }
        lines.append("")
        lines.append("Circuit breakers")
        if transitions.isEmpty { lines.append("  no transitions") }
        for transition in transitions {
            let phaseName = scenario.phases[transition.phase].name
            lines.append(
                "  \(String(format: "%7.2f", transition.at.seconds)) s  \(transition.deployment): \(transition.from.rawValue) → \(transition.to.rawValue)  (\(phaseName))"
            )
        }
        let expectations = scenario.phases.contains { phase in
            let expected = phase.expectations
            return expected.successRate != nil || expected.overBudget != nil || expected.amplification != nil || !expected.shareWhileOpen.isEmpty
        }
        if expectations {
            lines.append("")
            let unmet = unmet
            lines.append(unmet.isEmpty ? "Every expectation held." : "Expectations not met:")
            lines += unmet.map { "  ✗ \($0)" }
        }
        return lines.joined(separator: "\n")
    }

    static func percentile(_ sorted: [Double], _ quantile: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * quantile).rounded(.up)) - 1)]
    }

    static func percent(_ share: Double) -> String { String(format: "%.2f%%", share * 100) }
    static func ratio(_ value: Double) -> String { String(format: "%.3f", value) }
    static func number(_ value: Double) -> String { value >= 100 ? String(Int(value.rounded())) : String(format: "%.1f", value) }

    private static func table(_ rows: [[String]]) -> [String] {
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == 0
                    ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }
            .joined(separator: "  ")
        }
    }
}
