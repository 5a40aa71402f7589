import Foundation

/// A run's results gathered per category and per risk tier: pass rate (weighted by the cases'
/// weights) with its Wilson 95 % interval, failures and errors, cost and latency; and for the
/// `label` scorer, the confusion matrix of expected against answered labels.
public struct EvaluationReport: Sendable {
    public struct Group: Sendable, Hashable {
        public var name: String
        /// Cases with a result.
        public var cases: Int
        public var passed: Int
        public var failed: Int
        public var errors: Int
        /// Σ weight of passing cases / Σ weight; `nil` without cases.
        public var passRate: Double?
        /// Wilson's interval at the effective sample size (Σw)² / Σw², which is the case count when
        /// every weight is the same.
        public var interval: WilsonInterval?
        public var cost: Money
        public var scoringCost: Money
        public var latencyP50: Double?
        public var latencyP95: Double?

        init(name: String, _ items: [(item: EvaluationCase, result: EvaluationResult)]) {
            self.name = name
            cases = items.count
            passed = items.count { $0.result.outcome == .passed }
            failed = items.count { $0.result.outcome == .failed }
            errors = items.count { $0.result.outcome == .error }
            let weights = items.map(\.item.weight)
            let total = weights.reduce(0, +)
            if total > 0 {
                let rate = items.filter(\.result.passed).reduce(0) { $0 + $1.item.weight } / total
                let effective = total * total / weights.reduce(0) { $0 + $1 * $1 }
                passRate = rate
                interval = WilsonInterval(successes: rate * effective, trials: effective)
            }
            cost = items.reduce(.zero) { $0 + $1.result.cost }
            scoringCost = items.reduce(.zero) { $0 + $1.result.scoringCost }
            let latencies = items.map(\.result.latencyMs).sorted()
            latencyP50 = TrafficFigures.percentile(0.5, of: latencies)
            latencyP95 = TrafficFigures.percentile(0.95, of: latencies)
        }
    }

    public static let uncategorised = "(none)"

    public var run: EvaluationRun
    public var overall: Group
    public var categories: [Group]
    public var tiers: [Group]
    /// The `label` scorer's expected labels against the answered ones.
    public var confusion: LabelAgreement?
    /// Cases of the dataset without a result yet (an unfinished run).
    public var pending: Int

    public init(run: EvaluationRun, cases: [EvaluationCase], results: [EvaluationResult]) {
        self.run = run
        let byID = Dictionary(results.map { ($0.caseID, $0) }, uniquingKeysWith: { first, _ in first })
        let scored = cases.compactMap { item in byID[item.id].map { (item: item, result: $0) } }
        pending = cases.count - scored.count
        overall = Group(name: "overall", scored)
        categories = Dictionary(grouping: scored) { $0.item.category ?? Self.uncategorised }
            .map { Group(name: $0.key, $0.value) }.sorted { $0.name < $1.name }
        tiers = RiskTier.allCases.reversed().compactMap { tier in
            let items = scored.filter { $0.item.riskTier == tier }
            return items.isEmpty ? nil : Group(name: tier.rawValue, items)
        }
        var labels: [(reference: String, predicted: String)] = []
        for score in scored.flatMap(\.result.scores) where score.scorer == "label" {
            if let expected = score.expected, let predicted = score.predicted { labels.append((expected, predicted)) }
        }
        confusion = labels.isEmpty ? nil : LabelAgreement(labels)
    }

    /// The group a gate condition is about; `nil` when the dataset has no such cases.
    public func group(_ scope: GateCondition.Scope) -> Group? {
        switch scope {
        case .overall: overall.cases > 0 ? overall : nil
        case .category(let name): categories.first { $0.name == name }
        case .tier(let tier): tiers.first { $0.name == tier.rawValue }
        }
    }
}
