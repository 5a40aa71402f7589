/// A feature of the request log a drift monitor watches, and whether its values are numbers or
/// categories. (Features of the content — the input's language, refusals, JSON answers — and the
/// requests' `metadata` fields need the record to carry them first; they are not offered yet.)
public struct DriftFeature: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case numerical, categorical
    }

    public var name: String
    public var kind: Kind

    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }

    /// The features every request has.
    public static let builtIn: [(name: String, kind: Kind)] = [
        ("input_tokens", .numerical), ("output_tokens", .numerical), ("latency_ms", .numerical), ("ttft_ms", .numerical),
        ("cost_usd", .numerical), ("finish_reason", .categorical), ("prompt_version", .categorical), ("model", .categorical),
    ]

    /// What a monitor watches when it names no features.
    public static let defaults = ["input_tokens", "output_tokens", "latency_ms", "cost_usd", "finish_reason", "model", "prompt_version"]

    /// A feature by its name.
    public init(named name: String) throws(KeelError) {
        guard let builtIn = Self.builtIn.first(where: { $0.name == name }) else {
            throw KeelError(.invalidValue, "'\(name)' is not a feature (\(Self.builtIn.map(\.name).joined(separator: ", "))).", param: name)
        }
        self.init(name: name, kind: builtIn.kind)
    }

    /// A window's values of the feature as a sample (`null` left out).
    public func sample(_ values: [JSONValue]) throws(KeelError) -> DriftSample {
        try DriftSample(json: values, categorical: kind == .categorical)
    }
}
