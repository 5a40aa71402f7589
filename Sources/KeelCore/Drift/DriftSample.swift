/// One side of a drift comparison: a feature's values, numbers or categories, as the request log or
/// a fixture gives them. Missing values (`null`, NaN) are left out, as Evidently leaves them out.
public enum DriftSample: Sendable, Hashable {
    /// `integers` says whether every value was a whole number written as one (NumPy's integer
    /// dtype, which histogram binning treats apart).
    case numerical([Double], integers: Bool)
    case categorical([String])

    /// The values of a JSON array as `kind`: numbers (`numerical`), or any JSON as its text (`categorical`).
    public init(json values: [JSONValue], categorical: Bool) throws(KeelError) {
        if categorical {
            self = .categorical(values.compactMap { value in value.isNull ? nil : (value.stringValue ?? value.jsonString) })
            return
        }
        var numbers: [Double] = []
        var integers = true
        for value in values where !value.isNull {
            guard let number = value.doubleValue else {
                throw KeelError(.invalidType, "A numerical sample holds numbers, not \(value.typeDescription).", param: "reference")
            }
            if case .integer = value {} else { integers = false }
            if !number.isNaN { numbers.append(number) }
        }
        self = .numerical(numbers, integers: integers)
    }

    public var count: Int {
        switch self {
        case .numerical(let values, _): values.count
        case .categorical(let values): values.count
        }
    }

    /// Each value as a category (numbers by value), for the tests that count categories.
    var categories: [String] {
        switch self {
        case .numerical(let values, _): values.map { $0.rounded() == $0 && abs($0) < 1e15 ? String(Int64($0)) : String($0) }
        case .categorical(let values): values
        }
    }

    /// How many distinct values the two samples have between them, counted up to `limit` + 1.
    static func distinctCount(_ a: DriftSample, _ b: DriftSample, limit: Int) -> Int {
        switch (a, b) {
        case (.numerical(let x, _), .numerical(let y, _)):
            var seen = Set<Double>()
            for value in x + y {
                seen.insert(value)
                if seen.count > limit { break }
            }
            return seen.count
        default:
            var seen = Set<String>()
            for value in a.categories + b.categories {
                seen.insert(value)
                if seen.count > limit { break }
            }
            return seen.count
        }
    }

    var numbers: [Double] {
        if case .numerical(let values, _) = self { return values }
        return []
    }
}
