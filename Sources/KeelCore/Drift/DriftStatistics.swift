import Foundation

/// The distances and tests of drift between a reference sample and a current one, computed as
/// scipy computes them on the bins and counts Evidently makes.
enum DriftStatistics {
    /// Evidently's `get_binned_data`: for a numerical feature with more than 20 distinct reference
    /// values, the shares of each sample in Sturges' bins over both; otherwise the shares of each
    /// category (of either sample). With `fillZeroes`, an empty bin's share becomes 0.0001, or a
    /// millionth of the smallest share when that is smaller still.
    static func binned(_ reference: DriftSample, _ current: DriftSample, fillZeroes: Bool) -> (reference: [Double], current: [Double]) {
        var shares: ([Double], [Double])
        if case .numerical(let values, let integers) = reference, Set(values).count > 20 {
            let edges = Histogram.sturgesEdges(values + current.numbers, integers: integers && Self.integers(current))
            shares = (
                Histogram.counts(values, edges: edges).map { Double($0) / Double(values.count) },
                Histogram.counts(current.numbers, edges: edges).map { Double($0) / Double(current.count) }
            )
        } else {
            let (keys, referenceCounts, currentCounts) = categoryCounts(reference, current)
            shares = (
                keys.map { Double(referenceCounts[$0] ?? 0) / Double(reference.count) },
                keys.map { Double(currentCounts[$0] ?? 0) / Double(current.count) }
            )
        }
        if fillZeroes { shares = (fillingZeroes(shares.0), fillingZeroes(shares.1)) }
        return shares
    }

    private static func integers(_ sample: DriftSample) -> Bool {
        if case .numerical(_, let integers) = sample { return integers }
        return false
    }

    private static func fillingZeroes(_ shares: [Double]) -> [Double] {
        guard let smallest = shares.filter({ $0 != 0 }).min() else { return shares }
        let fill = smallest <= 0.0001 ? smallest / 1e6 : 0.0001
        return shares.map { $0 == 0 ? fill : $0 }
    }

    /// Every category of either sample, and each sample's count of each.
    static func categoryCounts(_ reference: DriftSample, _ current: DriftSample) -> (keys: [String], reference: [String: Int], current: [String: Int])
    {
        let referenceCounts = Dictionary(reference.categories.map { ($0, 1) }, uniquingKeysWith: +)
        let currentCounts = Dictionary(current.categories.map { ($0, 1) }, uniquingKeysWith: +)
        return (Set(referenceCounts.keys).union(currentCounts.keys).sorted(), referenceCounts, currentCounts)
    }

    /// Population stability index: Σ (r − c) ln(r / c) over the bins (zeroes filled).
    static func psi(_ reference: DriftSample, _ current: DriftSample) -> Double {
        let (r, c) = binned(reference, current, fillZeroes: true)
        return zip(r, c).reduce(0) { $0 + ($1.0 - $1.1) * log($1.0 / $1.1) }
    }

    /// Jensen–Shannon distance (natural logarithm), as `scipy.spatial.distance.jensenshannon` on the bins.
    static func jensenShannon(_ reference: DriftSample, _ current: DriftSample) -> Double {
        let (r, c) = binned(reference, current, fillZeroes: false)
        let (p, q) = (normalized(r), normalized(c))
        var divergence = 0.0
        for (x, y) in zip(p, q) {
            let m = (x + y) / 2
            divergence += relativeEntropy(x, m) + relativeEntropy(y, m)
        }
        return (divergence / 2).squareRoot()
    }

    private static func normalized(_ values: [Double]) -> [Double] {
        let total = values.reduce(0, +)
        return values.map { $0 / total }
    }

    /// `scipy.special.rel_entr`.
    private static func relativeEntropy(_ x: Double, _ y: Double) -> Double {
        if x > 0, y > 0 { return x * log(x / y) }
        return x == 0 && y >= 0 ? 0 : .infinity
    }

    /// The first Wasserstein distance (`scipy.stats.wasserstein_distance`) over the reference's
    /// population standard deviation (at least 0.001).
    static func wassersteinNormed(_ reference: [Double], _ current: [Double]) -> Double {
        let u = reference.sorted()
        let v = current.sorted()
        // Walk both sorted samples at once: between consecutive values of either, the two empirical
        // distribution functions are constant, and the distance adds |F_u − F_v| times the gap.
        var (i, j) = (0, 0)
        var distance = 0.0
        var previous = min(u[0], v[0])
        while i < u.count || j < v.count {
            let next = j == v.count || (i < u.count && u[i] <= v[j]) ? u[i] : v[j]
            distance += abs(Double(i) / Double(u.count) - Double(j) / Double(v.count)) * (next - previous)
            while i < u.count, u[i] == next { i += 1 }
            while j < v.count, v[j] == next { j += 1 }
            previous = next
        }
        let mean = reference.reduce(0, +) / Double(reference.count)
        let deviation = (reference.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(reference.count)).squareRoot()
        return distance / max(deviation, 0.001)
    }

    /// Evidently's chi-square test: the current counts against the reference's scaled to the
    /// current's size (`scipy.stats.chisquare`); a category the reference lacks makes it certain.
    static func chiSquare(_ reference: DriftSample, _ current: DriftSample) -> (statistic: Double, pValue: Double) {
        let (keys, referenceCounts, currentCounts) = categoryCounts(reference, current)
        let scale = Double(current.count) / Double(reference.count)
        var statistic = 0.0
        for key in keys {
            let expected = Double(referenceCounts[key] ?? 0) * scale
            let observed = Double(currentCounts[key] ?? 0)
            statistic += (observed - expected) * (observed - expected) / expected
        }
        guard keys.count > 1 else { return (statistic.isNaN ? 0 : statistic, 1) }
        return (statistic, IncompleteGamma.upper(Double(keys.count - 1) / 2, statistic / 2))
    }

    /// Evidently's two-proportion z-test for a feature of two values: the p-value.
    static func zTest(_ reference: DriftSample, _ current: DriftSample) -> Double {
        let (keys, _, _) = categoryCounts(reference, current)
        guard keys.count > 1 else { return 1 }
        let first = keys[0]
        let p1 = Double(reference.categories.count { $0 != first }) / Double(reference.count)
        let p2 = Double(current.categories.count { $0 != first }) / Double(current.count)
        let (n1, n2) = (Double(reference.count), Double(current.count))
        let pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
        let z = (p1 - p2) / (pooled * (1 - pooled) * (1 / n1 + 1 / n2)).squareRoot()
        return 2 * (1 - 0.5 * erfc(-abs(z) / 2.0.squareRoot()))
    }
}
