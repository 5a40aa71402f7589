import Foundation

/// McNemar's exact test for paired outcomes: of the cases that changed between two runs, are the
/// `regressed` (pass → fail) and `fixed` (fail → pass) ones too uneven to be chance? The two-sided
/// p-value is the binomial test of the discordant pairs at ½, as `statsmodels`' `mcnemar(exact=True)`
/// and `scipy.stats.binomtest(b, b + c)` give it.
public enum McNemarTest {
    public static func pValue(fixed: Int, regressed: Int) -> Double {
        let n = fixed + regressed
        guard n > 0 else { return 1 }
        let tail = (0...min(fixed, regressed)).reduce(0.0) { sum, k in sum + binomialHalf(k, of: n) }
        return min(1, 2 * tail)
    }

    /// P(X = k) for X ~ Binomial(n, ½), through log-gamma so that large runs do not overflow.
    private static func binomialHalf(_ k: Int, of n: Int) -> Double {
        exp(lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1)) - Double(n) * log(2))
    }
}
