import Foundation

/// The regularized upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a): the chi-square
/// distribution's survival function is Q(k/2, x/2). A series below a + 1, Lentz's continued
/// fraction above (Numerical Recipes §6.2), each to double precision.
enum IncompleteGamma {
    static func upper(_ a: Double, _ x: Double) -> Double {
        guard x > 0 else { return 1 }
        guard x.isFinite else { return 0 }
        return x < a + 1 ? 1 - lowerSeries(a, x) : upperFraction(a, x)
    }

    private static let epsilon = 1e-16
    private static let tiny = 1e-300

    /// P(a, x) by its series.
    private static func lowerSeries(_ a: Double, _ x: Double) -> Double {
        var term = 1 / a
        var sum = term
        var denominator = a
        for _ in 0..<100_000 {
            denominator += 1
            term *= x / denominator
            sum += term
            if abs(term) < abs(sum) * epsilon { break }
        }
        return sum * exp(-x + a * log(x) - lgamma(a))
    }

    /// Q(a, x) by its continued fraction.
    private static func upperFraction(_ a: Double, _ x: Double) -> Double {
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        for i in 1..<100_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < epsilon { break }
        }
        return exp(-x + a * log(x) - lgamma(a)) * h
    }
}
