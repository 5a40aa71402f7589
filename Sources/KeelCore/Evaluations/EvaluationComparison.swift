/// Two runs over the same cases compared case by case: which the candidate fixed (fail → pass),
/// which it regressed (pass → fail), which are unchanged, and McNemar's p-value of the change —
/// how likely so uneven a split of the changed cases is by chance alone.
public struct EvaluationComparison: Sendable {
    public enum Change: String, Sendable, Hashable {
        case fixed, regressed
        case unchangedPass = "unchanged_pass"
        case unchangedFail = "unchanged_fail"
    }

    public struct CaseChange: Sendable, Hashable {
        public var caseID: String
        public var category: String?
        public var riskTier: RiskTier?
        public var change: Change
        public var base: EvaluationResult.Outcome
        public var candidate: EvaluationResult.Outcome
    }

    public var base: EvaluationReport
    public var candidate: EvaluationReport
    /// The cases both runs scored, in the dataset's order.
    public var changes: [CaseChange]
    public var pValue: Double

    public init(
        base: EvaluationReport,
        baseResults: [EvaluationResult],
        candidate: EvaluationReport,
        candidateResults: [EvaluationResult],
        cases: [EvaluationCase]
    ) {
        self.base = base
        self.candidate = candidate
        let before = Dictionary(baseResults.map { ($0.caseID, $0) }, uniquingKeysWith: { first, _ in first })
        let after = Dictionary(candidateResults.map { ($0.caseID, $0) }, uniquingKeysWith: { first, _ in first })
        changes = cases.compactMap { item in
            guard let old = before[item.id], let new = after[item.id] else { return nil }
            let change: Change =
                switch (old.passed, new.passed) {
                case (false, true): .fixed
                case (true, false): .regressed
                case (true, true): .unchangedPass
                case (false, false): .unchangedFail
                }
            return CaseChange(
                caseID: item.id,
                category: item.category,
                riskTier: item.riskTier,
                change: change,
                base: old.outcome,
                candidate: new.outcome
            )
        }
        pValue = McNemarTest.pValue(fixed: changes.count { $0.change == .fixed }, regressed: changes.count { $0.change == .regressed })
    }

    public func count(_ change: Change) -> Int { changes.count { $0.change == change } }
}
