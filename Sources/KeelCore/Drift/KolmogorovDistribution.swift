import Foundation

/// The distribution of the two-sided one-sample Kolmogorov–Smirnov statistic Dₙ: its survival
/// function, P(Dₙ ≥ x), as scipy's `kstwo.sf` (`scipy.stats._ksstats.kolmogn`) computes it — the
/// method chosen by n and nx² as Simard and L'Ecuyer (2011) choose it: Ruben–Gambino at the ends,
/// the Durbin matrix (Marsaglia–Tsang–Wang), Pomeranz's recursion, Pelz–Good's approximation, and
/// twice the one-sided Smirnov probability (Birnbaum–Tingey) where that is exact enough.
enum KolmogorovDistribution {
    static func survival(_ n: Int, _ x: Double) -> Double {
        guard n > 0 else { return .nan }
        if x >= 1 { return 0 }
        if x <= 0 { return 1 }
        let t = Double(n) * x
        if t <= 1 {
            if t <= 0.5 { return 1 }
            let cdf: Double
            if n <= 140 {
                cdf = (1...n).reduce(1.0) { $0 * (Double($1) * (1 / Double(n)) * (2 * t - 1)) }
            } else {
                cdf = exp(logFactorialOverPower(n) + Double(n) * log(2 * t - 1))
            }
            return clip(1 - cdf)
        }
        if t >= Double(n - 1) { return clip(2 * pow(1 - x, Double(n))) }
        if x >= 0.5 { return clip(2 * smirnov(n, x)) }
        let nxSquared = t * x
        if n <= 140 {
            if nxSquared <= 0.754693 { return clip(1 - durbin(n, x)) }
            if nxSquared <= 4 { return clip(1 - pomeranz(n, x)) }
            return clip(2 * smirnov(n, x))
        }
        if nxSquared >= 370 { return 0 }
        if nxSquared >= 2.2 { return clip(2 * smirnov(n, x)) }
        let cdf = n <= 100_000 && Double(n) * pow(x, 1.5) <= 1.4 ? durbin(n, x) : pelzGood(n, x)
        return clip(1 - cdf)
    }

    private static func clip(_ p: Double) -> Double { min(max(p, 0), 1) }

    /// log(n! / nⁿ) by Stirling's series, n·log n taken out first.
    static func logFactorialOverPower(_ n: Int) -> Double {
        let coefficients = [
            -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3, 8.4175084175084175084e-4,
            -5.952380952380952381e-4, 7.9365079365079365079e-4, -2.7777777777777777778e-3, 8.3333333333333333333e-2,
        ]
        let rn = 1 / Double(n)
        let polynomial = coefficients.reduce(0.0) { $0 * (rn / Double(n)) + $1 }
        return log(Double(n)) / 2 - Double(n) + log(2 * Double.pi) / 2 + rn * polynomial
    }

    // MARK: Durbin's matrix (Marsaglia, Tsang, Wang 2003)

    private static let scale = scalbn(1.0, 128)

    /// P(Dₙ < d): the k-th diagonal entry of Hⁿ, times n!/nⁿ, scaled as it goes.
    static func durbin(_ n: Int, _ d: Double) -> Double {
        if d >= 1 { return 1 }
        let nd = Double(n) * d
        if nd <= 0.5 { return 0 }
        let k = Int(nd.rounded(.up))
        let h = Double(k) - nd
        let m = 2 * k - 1
        var v = (1...m).map { 1 - pow(h, Double($0)) }
        var w = [Double](repeating: 0, count: m)
        var factorial = 1.0
        for j in 1...m {
            w[j - 1] = factorial
            factorial /= Double(j)
            v[j - 1] *= factorial
        }
        let tt = pow(max(2 * h - 1, 0), Double(m)) - 2 * pow(h, Double(m))
        v[m - 1] = (1 + tt) * factorial
        var matrix = [[Double]](repeating: [Double](repeating: 0, count: m), count: m)
        for column in 1..<max(m, 1) {
            for row in (column - 1)..<m { matrix[row][column] = w[row - column + 1] }
        }
        for row in 0..<m { matrix[row][0] = v[row] }
        for column in 0..<m { matrix[m - 1][column] = v[m - 1 - column] }
        var power = (0..<m).map { row in (0..<m).map { $0 == row ? 1.0 : 0.0 } }
        var exponent = 0
        var matrixExponent = 0
        var remaining = n
        while remaining > 0 {
            if remaining % 2 == 1 {
                power = multiply(power, matrix)
                exponent += matrixExponent
            }
            matrix = multiply(matrix, matrix)
            matrixExponent *= 2
            if abs(matrix[k - 1][k - 1]) > scale {
                matrix = matrix.map { $0.map { $0 / scale } }
                matrixExponent += 128
            }
            remaining /= 2
        }
        var p = power[k - 1][k - 1]
        for i in 1...n {
            p = Double(i) * p / Double(n)
            if abs(p) < 1 / scale {
                p *= scale
                exponent -= 128
            }
        }
        return clip(exponent == 0 ? p : scalbn(p, exponent))
    }

    private static func multiply(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
        let size = a.count
        var product = [[Double]](repeating: [Double](repeating: 0, count: size), count: size)
        for i in 0..<size {
            for l in 0..<size where a[i][l] != 0 {
                let value = a[i][l]
                for j in 0..<size { product[i][j] += value * b[l][j] }
            }
        }
        return product
    }

    // MARK: Pomeranz (1974)

    /// P(Dₙ ≤ x) by Pomeranz's recursion, two rows at a time.
    static func pomeranz(_ n: Int, _ x: Double) -> Double {
        let t = Double(n) * x
        let ll = Int(floor(t))
        let f = t - Double(ll)
        let g = min(f, 1 - f)
        let ceilf = f > 0 ? 1 : 0
        let roundf = f > 0.5 ? 1 : 0
        let count = 2 * (ll + 1)
        var gPower = [Double](repeating: 1, count: count)
        var twoGPower = [Double](repeating: 1, count: count)
        var oneMinusTwoGPower = [Double](repeating: 1, count: count)
        let (gn, twoGn, oneMinusTwoGn) = (g / Double(n), 2 * g / Double(n), (1 - 2 * g) / Double(n))
        for m in 1..<count {
            gPower[m] = gPower[m - 1] * gn / Double(m)
            twoGPower[m] = twoGPower[m - 1] * twoGn / Double(m)
            oneMinusTwoGPower[m] = oneMinusTwoGPower[m - 1] * oneMinusTwoGn / Double(m)
        }
        var v0 = [Double](repeating: 0, count: count)
        var v1 = [Double](repeating: 0, count: count)
        v1[0] = 1
        var (v0Start, v1Start) = (0, 0)
        var (j1, _) = pomeranzBounds(0, n, ll, ceilf, roundf)
        var exponent = 0
        for i in 1..<(2 * n + 2) {
            let k1 = j1
            swap(&v0, &v1)
            swap(&v0Start, &v1Start)
            for index in v1.indices { v1[index] = 0 }
            let bounds = pomeranzBounds(i, n, ll, ceilf, roundf)
            j1 = bounds.0
            let j2 = bounds.1
            let powers = i == 1 || i == 2 * n + 1 ? gPower : (i % 2 == 1 ? twoGPower : oneMinusTwoGPower)
            let ln2 = j2 - k1 + 1
            if ln2 > 0 {
                let start = k1 - v0Start
                let slice = Array(v0[max(start, 0)..<min(max(start + ln2, 0), count)])
                let kernel = Array(powers[0..<min(ln2, count)])
                let convolution = convolve(slice, kernel)
                let convolutionStart = j1 - k1
                let convolutionLength = j2 - j1 + 1
                if convolutionLength > 0 {
                    for offset in 0..<convolutionLength where convolutionStart + offset < convolution.count && offset < count {
                        v1[offset] = convolution[convolutionStart + offset]
                    }
                }
                if let largest = v1.max(), largest > 0, largest < 1 / scale {
                    for index in v1.indices { v1[index] *= scale }
                    exponent -= 128
                }
                v1Start = v0Start + j1 - k1
            }
        }
        var answer = v1[n - v1Start]
        for m in 1...n {
            if abs(answer) > scale {
                answer /= scale
                exponent += 128
            }
            answer *= Double(m)
        }
        return clip(exponent == 0 ? answer : scalbn(answer, exponent))
    }

    private static func pomeranzBounds(_ i: Int, _ n: Int, _ ll: Int, _ ceilf: Int, _ roundf: Int) -> (Int, Int) {
        var (j1, j2): (Int, Int)
        if i == 0 {
            (j1, j2) = (-ll - ceilf - 1, ll + ceilf - 1)
        } else {
            let (half, odd) = ((i + 1) / 2, (i + 1) % 2)
            if odd == 0 {
                if half == n + 1 {
                    (j1, j2) = (n - ll - ceilf - 1, n + ll + ceilf - 1)
                } else {
                    (j1, j2) = (half - 1 - ll - roundf - 1, half + ll - 1 + ceilf - 1)
                }
            } else {
                (j1, j2) = (half - 1 - ll - 1, half + ll + roundf - 1)
            }
        }
        return (max(j1 + 2, 0), min(j2, n))
    }

    /// `numpy.convolve(a, b)` in full.
    private static func convolve(_ a: [Double], _ b: [Double]) -> [Double] {
        guard !a.isEmpty, !b.isEmpty else { return [] }
        var result = [Double](repeating: 0, count: a.count + b.count - 1)
        for (i, x) in a.enumerated() where x != 0 {
            for (j, y) in b.enumerated() { result[i + j] += x * y }
        }
        return result
    }

    // MARK: Pelz–Good (1976)

    static func pelzGood(_ n: Int, _ x: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let pi2 = Double.pi * Double.pi
        let (pi4, pi6) = (pi2 * pi2, pi2 * pi2 * pi2)
        let z = Double(n).squareRoot() * x
        let (z2, z3, z4, z6) = (z * z, z * z * z, pow(z, 4), pow(z, 6))
        let qlog = -pi2 / 8 / z2
        if qlog < -708 { return 0 }
        var q = exp(qlog)
        let k1a = -z2
        let k1b = pi2 / 4
        let k2a = 6 * z6 + 2 * z4
        let k2b = (2 * z4 - 5 * z2) * pi2 / 4
        let k2c = pi4 * (1 - 2 * z2) / 16
        let k3d = pi6 * (5 - 30 * z2) / 64
        let k3c = pi4 * (-60 * z2 + 212 * z4) / 16
        let k3b = pi2 * (135 * z4 - 96 * z6) / 4
        let k3a = -30 * z6 - 90 * pow(z, 8)
        var sums = [0.0, 0.0, 0.0, 0.0]
        let maxk = Int((16 * z / Double.pi).rounded(.up))
        for k in stride(from: maxk, to: 0, by: -1) {
            let m = Double(2 * k - 1)
            let (m2, m4, m6) = (m * m, pow(m, 4), pow(m, 6))
            let qPower = pow(q, Double(8 * k))
            let coefficients = [1.0, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6]
            for index in 0..<4 { sums[index] = sums[index] * qPower + coefficients[index] }
        }
        let root2pi = (2 * Double.pi).squareRoot()
        let divisors = [z, 6 * z4, 72 * pow(z, 7), 6480 * pow(z, 10)]
        for index in 0..<4 { sums[index] = sums[index] * q * root2pi / divisors[index] }
        q = exp(-pi2 / 2 / z2)
        var k2extra = 0.0
        var k3extra = 0.0
        let root3z = 3.0.squareRoot() * z
        for k in stride(from: maxk, to: 0, by: -1) {
            let ks = Double(k)
            let qPower = pow(q, ks * ks)
            k2extra += ks * ks * qPower
            let kspi = Double.pi * ks
            k3extra += (root3z + kspi) * (root3z - kspi) * ks * ks * qPower
        }
        sums[2] += k2extra * pi2 * root2pi / (-36 * z3)
        sums[3] += k3extra * pi2 * root2pi / (216 * z6)
        for index in 0..<4 { sums[index] /= pow(Double(n), Double(index) / 2) }
        return sums.reduce(0, +)
    }

    // MARK: Smirnov, one-sided

    /// P(Dₙ⁺ ≥ x), exactly, by the Birnbaum–Tingey sum (in logarithms, every term positive).
    static func smirnov(_ n: Int, _ x: Double) -> Double {
        if x >= 1 { return 0 }
        if x <= 0 { return 1 }
        if n == 1 { return 1 - x }
        let nd = Double(n)
        let last = Int(floor(nd * (1 - x) + 1e-12))
        var total = 0.0
        let logFactorial: Double = lgamma(nd + 1)
        for j in 0...min(last, n) {
            let jd = Double(j)
            let remaining = 1 - x - jd / nd
            let left: Double
            if remaining <= 0 {
                guard n - j == 0 else { continue }
                left = 0
            } else {
                left = (nd - jd) * log(remaining)
            }
            let logTerm = logFactorial - lgamma(jd + 1) - lgamma(nd - jd + 1) + left + (jd - 1) * log(x + jd / nd)
            total += exp(logTerm)
        }
        return clip(x * total)
    }
}
