import Foundation

/// Whether a candidate's run passes a route's gate: each condition checked against the candidate's
/// report and, for the largest drop, against the report of the version that holds the label now.
public struct GateVerdict: Sendable {
    public struct Check: Sendable, Hashable {
        public var condition: GateCondition
        public var candidateRate: Double?
        public var baseRate: Double?
        /// Why the condition does not hold; empty when it does.
        public var failures: [String]
    }

    public var checks: [Check]
    /// Problems with the runs themselves (an unfinished run), which fail the gate too.
    public var problems: [String]

    public var holds: Bool { problems.isEmpty && checks.allSatisfy(\.failures.isEmpty) }
    /// Every reason the gate does not hold, one a line.
    public var failures: [String] { problems + checks.flatMap(\.failures) }

    public init(conditions: [GateCondition], candidate: EvaluationReport, base: EvaluationReport?) {
        problems = []
        if conditions.isEmpty { problems.append("the route's gate has no conditions") }
        if candidate.pending > 0 { problems.append("the candidate's run is unfinished: \(candidate.pending) cases have no result") }
        if let base, base.pending > 0 { problems.append("the current version's run is unfinished: \(base.pending) cases have no result") }
        checks = conditions.map { condition in
            let scope = condition.scope.description
            guard let group = candidate.group(condition.scope), let rate = group.passRate else {
                return Check(condition: condition, candidateRate: nil, baseRate: nil, failures: ["\(scope): the dataset has no cases of it"])
            }
            var failures: [String] = []
            if let minimum = condition.minimumPassRate, rate < minimum {
                failures.append("\(scope): pass rate \(Self.percent(rate)) is below the minimum \(Self.percent(minimum))")
            }
            let baseRate = base?.group(condition.scope)?.passRate
            if let maximum = condition.maximumDrop, let baseRate, baseRate - rate > maximum + 1e-12 {
                failures.append(
                    "\(scope): pass rate fell \(Self.points(baseRate - rate)) points (\(Self.percent(baseRate)) → \(Self.percent(rate))), more than the \(Self.points(maximum)) allowed"
                )
            }
            return Check(condition: condition, candidateRate: rate, baseRate: baseRate, failures: failures)
        }
    }

    /// `87.5 %`.
    public static func percent(_ rate: Double) -> String { String(format: "%.1f %%", rate * 100) }
    static func points(_ rate: Double) -> String { String(format: "%.1f", rate * 100) }
}
