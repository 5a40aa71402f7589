import Foundation

/// The Wilson score interval of a proportion: where the true pass rate lies, at 95 % unless told,
/// given `successes` out of `trials`. Unlike the normal approximation it stays inside [0, 1] and
/// means something at 0 or 100 % and for small samples (as `scipy.stats.binomtest(...)
/// .proportion_ci(method="wilson")` computes it).
public struct WilsonInterval: Sendable, Hashable {
    public var lower: Double
    public var upper: Double

    /// `trials` may be fractional: an effective sample size for weighted cases.
    public init(successes: Double, trials: Double, z: Double = 1.959_963_984_540_054) {
        guard trials > 0 else {
            self.lower = 0
            self.upper = 1
            return
        }
        let p = successes / trials
        let z2 = z * z
        let denominator = 1 + z2 / trials
        let centre = (p + z2 / (2 * trials)) / denominator
        let margin = z / denominator * (p * (1 - p) / trials + z2 / (4 * trials * trials)).squareRoot()
        self.lower = max(0, centre - margin)
        self.upper = min(1, centre + margin)
    }
}
