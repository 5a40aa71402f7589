/// How much a case may be automated: `low` is answered, `medium` answered after extra validation,
/// `high` decided by a person.
public enum RiskTier: String, Sendable, Hashable, CaseIterable, Comparable {
    case low, medium, high

    public static func < (a: RiskTier, b: RiskTier) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
}
