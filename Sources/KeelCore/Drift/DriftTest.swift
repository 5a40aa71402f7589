/// A test of drift between a reference sample and a current one, with the threshold that calls
/// it: p-values drift below theirs, distances at or above theirs (Evidently's defaults).
public enum DriftTest: String, Sendable, Hashable, CaseIterable {
    case ks
    case chisquare
    case z
    case wasserstein
    case psi
    case jensenshannon

    /// The threshold Evidently uses unless told another.
    public var defaultThreshold: Double {
        switch self {
        case .ks, .chisquare, .z: 0.05
        case .wasserstein, .psi, .jensenshannon: 0.1
        }
    }

    /// Whether the test's value is a p-value (drift below the threshold) rather than a distance.
    public var isPValue: Bool { self == .ks || self == .chisquare || self == .z }

    /// Evidently's choice by kind and size: a reference of at most 1,000 values gets a test (K–S for
    /// numbers of more than 5 distinct values; chi-square for categories, or z for two), a larger one
    /// a distance (normed Wasserstein for numbers, Jensen–Shannon for categories and for numbers of
    /// at most 5 distinct values).
    public static func chosen(reference: DriftSample, current: DriftSample) -> DriftTest {
        let distinct = DriftSample.distinctCount(reference, current, limit: 5)
        let numerical = if case .numerical = reference { true } else { false }
        if reference.count <= 1_000 {
            if numerical, distinct > 5 { return .ks }
            return distinct > 2 ? .chisquare : .z
        }
        return numerical && distinct > 5 ? .wasserstein : .jensenshannon
    }

    /// The test's value for the two samples.
    public func value(reference: DriftSample, current: DriftSample) -> Double {
        switch self {
        case .ks: KolmogorovSmirnov.test(reference.numbers, current.numbers).pValue
        case .chisquare: DriftStatistics.chiSquare(reference, current).pValue
        case .z: DriftStatistics.zTest(reference, current)
        case .wasserstein: DriftStatistics.wassersteinNormed(reference.numbers, current.numbers)
        case .psi: DriftStatistics.psi(reference, current)
        case .jensenshannon: DriftStatistics.jensenShannon(reference, current)
        }
    }

    /// Whether `value` is drift at `threshold`.
    public func drifts(_ value: Double, threshold: Double? = nil) -> Bool {
        let threshold = threshold ?? defaultThreshold
        return isPValue ? (self == .ks ? value <= threshold : value < threshold) : value >= threshold
    }
}
