/// A feature of the request log a drift monitor watches, and whether its values are numbers or
/// categories: the built-in ones (`input_tokens`, `finish_reason`, …) or a field of the requests'
/// `metadata` (`metadata.tier`), whose kind the monitor declares.
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
        ("cost_usd", .numerical), ("finish_reason", .categorical), ("language", .categorical), ("refusal", .categorical),
        ("json_valid", .categorical), ("prompt_version", .categorical), ("model", .categorical),
    ]

    /// What a monitor watches when it names no features.
    public static let defaults = ["input_tokens", "output_tokens", "latency_ms", "cost_usd", "finish_reason", "model", "prompt_version"]

    /// A feature by name: a built-in one, or `metadata.FIELD` with its `kind`.
    public init(named name: String, kind declared: Kind? = nil) throws(KeelError) {
        if let builtIn = Self.builtIn.first(where: { $0.name == name }) {
            guard declared == nil || declared == builtIn.kind else {
                throw KeelError(.invalidValue, "'\(name)' is \(builtIn.kind.rawValue).", param: name)
            }
            self.init(name: name, kind: builtIn.kind)
        } else if name.hasPrefix("metadata."), name.count > 9 {
            guard let declared else {
                throw KeelError(.missingField, "Say whether '\(name)' is numerical or categorical: '\(name): categorical'.", param: name)
            }
            self.init(name: name, kind: declared)
        } else {
            let known = Self.builtIn.map(\.name).joined(separator: ", ")
            throw KeelError(.invalidValue, "'\(name)' is not a feature (\(known), or metadata.FIELD).", param: name)
        }
    }

    /// A window's values of the feature as a sample (`null` left out).
    public func sample(_ values: [JSONValue]) throws(KeelError) -> DriftSample {
        try DriftSample(json: values, categorical: kind == .categorical)
    }
}
