import Foundation

/// The two-sample Kolmogorov–Smirnov test, two-sided, as `scipy.stats.ks_2samp` computes it with
/// `method="auto"`: the largest gap between the two empirical distribution functions, and the exact
/// probability of a gap at least that large (lattice paths) when neither sample exceeds 10,000
/// values; beyond that, or when the exact sum overflows, the asymptotic distribution
/// (``KolmogorovDistribution``) at the samples' effective size.
public enum KolmogorovSmirnov {
    public struct Result: Sendable, Hashable {
        public var statistic: Double
        public var pValue: Double
        /// Whether the p-value is the exact one.
        public var exact: Bool
    }

    static let maximumExactSize = 10_000

    public static func test(_ reference: [Double], _ current: [Double]) -> Result {
        let a = reference.sorted()
        let b = current.sorted()
        let (n1, n2) = (a.count, b.count)
        var largest = 0.0
        var smallest = 0.0
        for value in a + b {
            let gap = Double(Histogram.upperBound(a, value)) / Double(n1) - Double(Histogram.upperBound(b, value)) / Double(n2)
            largest = max(largest, gap)
            smallest = min(smallest, gap)
        }
        var d = max(min(-smallest, 1), largest)
        let g = gcd(n1, n2)
        if max(n1, n2) <= maximumExactSize, let (rounded, p) = exact(n1, n2, g: g, d: d) {
            return Result(statistic: rounded, pValue: min(max(p, 0), 1), exact: true)
        }
        if max(n1, n2) <= maximumExactSize {
            // scipy rounds the statistic to the lattice before it gives up on the exact sum.
            d = (d * Double(n1 / g * n2)).rounded(.toNearestOrEven) / Double(n1 / g * n2)
        }
        let (m, n) = (Double(max(n1, n2)), Double(min(n1, n2)))
        let effective = (m * n / (m + n)).rounded(.toNearestOrEven)
        let p = KolmogorovDistribution.survival(Int(effective), d)
        return Result(statistic: d, pValue: min(max(p, 0), 1), exact: false)
    }

    /// scipy's `_attempt_exact_2kssamp` (two-sided): the statistic rounded to the lattice of
    /// lcm(n1, n2), and the share of paths outside the band; `nil` when the sum is not finite.
    static func exact(_ n1: Int, _ n2: Int, g: Int, d: Double) -> (Double, Double)? {
        let lcm = Double(n1 / g * n2)
        let h = Int((d * lcm).rounded(.toNearestOrEven))
        let rounded = Double(h) / lcm
        guard h > 0 else { return (rounded, 1) }
        let p = n1 == n2 ? outsideSquare(n1, h) : outsideBand(n1, n2, g: g, h: h)
        guard p.isFinite, (0...1).contains(p) else { return nil }
        return (rounded, p)
    }

    /// `_compute_prob_outside_square`: for equal sizes, the share of paths that leave |x − y| < h.
    static func outsideSquare(_ n: Int, _ h: Int) -> Double {
        var total = 0.0
        var k = n / h
        while k >= 0 {
            var p = 1.0
            for j in 0..<h { p = Double(n - k * h - j) * p / Double(n + k * h + j + 1) }
            total = p * (1 - total)
            k -= 1
        }
        return 2 * total
    }

    /// `_compute_outer_prob_inside_method`: one minus the share of lattice paths from (0, 0) to
    /// (m, n) that stay strictly inside |nx/g − my/g| < h. A path count is a running sum of the
    /// previous column within the band, kept a column at a time in a sliding window, rescaled past
    /// 2⁹⁰⁰ and divided by the binomial C(m + n, n) at the end.
    static func outsideBand(_ first: Int, _ second: Int, g: Int, h: Int) -> Double {
        let (m, n) = first < second ? (second, first) : (first, second)
        let (mg, ng) = (m / g, n / g)
        var minj = 0
        var maxj = min(Int((Double(h) / Double(mg)).rounded(.up)), n + 1)
        var length = maxj - minj
        var column = [Double](repeating: 0, count: n + 1)
        for index in minj..<maxj { column[index] = 1 }
        var exponent = 0
        for i in 1...m {
            let (lastMinj, lastLength) = (minj, length)
            minj = max(Int(floor(Double(ng * i - h) / Double(mg))) + 1, 0)
            minj = min(minj, n)
            maxj = min(Int((Double(ng * i + h) / Double(mg)).rounded(.up)), n + 1)
            if maxj <= minj { return 1 }
            var sum = 0.0
            for offset in 0..<(maxj - minj) {
                sum += column[minj - lastMinj + offset]
                column[offset] = sum
            }
            length = maxj - minj
            if lastLength > length {
                for index in length..<lastLength { column[index] = 0 }
            }
            let (_, valueExponent) = frexp(column[length - 1])
            if valueExponent > 900 {
                let shift = valueExponent - 800
                for index in column.indices { column[index] = scalbn(column[index], -shift) }
                exponent += shift
            }
        }
        var value = column[maxj - minj - 1]
        for i in 1...n {
            value = value * Double(i) / Double(m + i)
            let (_, valueExponent) = frexp(value)
            if valueExponent < -128 {
                value = scalbn(value, -valueExponent)
                exponent += valueExponent
            }
        }
        if exponent != 0 { value = scalbn(value, exponent) }
        return 1 - value
    }

    static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
}
