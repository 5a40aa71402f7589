/// Every statistic of one pair of samples, and the verdict of the test Evidently would choose:
/// what `keel drift compare` prints a line of. Statistics that do not apply to the kind are `nil`.
public struct DriftComparison: Sendable, Hashable {
    public var name: String
    public var test: DriftTest
    public var drift: Bool
    public var ksStatistic: Double?
    public var ksPValue: Double?
    public var wassersteinNormed: Double?
    public var psi: Double
    public var jensenShannon: Double
    public var chiSquareStatistic: Double?
    public var chiSquarePValue: Double?

    public init(name: String, reference: DriftSample, current: DriftSample) throws(KeelError) {
        guard reference.count > 0, current.count > 0 else {
            throw KeelError(.invalidValue, "Both samples need at least one value.", param: reference.count == 0 ? "reference" : "current")
        }
        self.name = name
        test = DriftTest.chosen(reference: reference, current: current)
        drift = test.drifts(test.value(reference: reference, current: current))
        psi = DriftStatistics.psi(reference, current)
        jensenShannon = DriftStatistics.jensenShannon(reference, current)
        if case .numerical(let values, _) = reference {
            let ks = KolmogorovSmirnov.test(values, current.numbers)
            (ksStatistic, ksPValue) = (ks.statistic, ks.pValue)
            wassersteinNormed = DriftStatistics.wassersteinNormed(values, current.numbers)
        }
        let numerical = if case .numerical = reference { true } else { false }
        if !numerical || DriftSample.distinctCount(reference, current, limit: 5) <= 5 {
            (chiSquareStatistic, chiSquarePValue) = DriftStatistics.chiSquare(reference, current)
        }
    }

    /// Reads a line `{"case", "kind": "numerical" | "categorical", "reference": [...], "current": [...]}`
    /// (other fields ignored).
    public init(json value: JSONValue) throws(KeelError) {
        let reader = try FieldReader(body: value)
        let name = try reader.optional("case", "a string or a number") { $0.stringValue ?? $0.integerValue.map(String.init) } ?? ""
        let kind = try reader.required("kind", "numerical or categorical") {
            $0.stringValue.flatMap { ["numerical", "categorical"].contains($0) ? $0 : nil }
        }
        let reference = try DriftSample(json: try reader.required("reference", "an array") { $0.arrayValue }, categorical: kind == "categorical")
        let current = try DriftSample(json: try reader.required("current", "an array") { $0.arrayValue }, categorical: kind == "categorical")
        try self.init(name: name, reference: reference, current: current)
    }

    /// `{case, test, drift, ks_stat, ks_p, wasserstein_normed, psi, js, chi2_stat, chi2_p}`.
    public var json: JSONObject {
        func number(_ value: Double?) -> JSONValue { value.map { $0.isFinite ? .double($0) : .string($0 > 0 ? "inf" : "-inf") } ?? .null }
        return JSONObject([
            ("case", .string(name)), ("test", .string(test.rawValue)), ("drift", .bool(drift)), ("ks_stat", number(ksStatistic)),
            ("ks_p", number(ksPValue)), ("wasserstein_normed", number(wassersteinNormed)), ("psi", number(psi)), ("js", number(jensenShannon)),
            ("chi2_stat", number(chiSquareStatistic)), ("chi2_p", number(chiSquarePValue)),
        ])
    }
}
