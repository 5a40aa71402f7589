/// A feature of the request log a drift monitor watches, and whether its values are numbers or
/// categories: one every request has (tokens, latency, cost, finish reason, prompt version,
/// model), one read from the content (the input's script, refusal, JSON validity), or a field of
/// the request's `metadata` (`metadata.segment`, categorical unless declared numerical).
public struct DriftFeature: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case numerical, categorical
    }

    public var name: String
    public var kind: Kind

    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }

    /// The features every request has, and those read from its content.
    public static let builtIn: [(name: String, kind: Kind)] = [
        ("input_tokens", .numerical), ("output_tokens", .numerical), ("latency_ms", .numerical), ("ttft_ms", .numerical),
        ("cost_usd", .numerical), ("finish_reason", .categorical), ("prompt_version", .categorical), ("model", .categorical),
        ("input_script", .categorical), ("refusal", .categorical), ("json_valid", .categorical),
    ]

    /// The features read from the content (``ContentSignals``), which only monitored routes note.
    public static let content: Set<String> = ["input_script", "refusal", "json_valid"]

    /// What a monitor watches when it names no features.
    public static let defaults = ["input_tokens", "output_tokens", "latency_ms", "cost_usd", "finish_reason", "model", "prompt_version"]

    static let metadataPrefix = "metadata."

    /// The field of `metadata` the feature reads, if it reads one.
    public var metadataField: String? { name.hasPrefix(Self.metadataPrefix) ? String(name.dropFirst(Self.metadataPrefix.count)) : nil }

    /// A feature by its name: a built-in one, or `metadata.FIELD` (categorical unless `kind` says otherwise).
    public init(named name: String, kind: Kind? = nil) throws(KeelError) {
        if name.hasPrefix(Self.metadataPrefix) {
            guard name.count > Self.metadataPrefix.count else {
                throw KeelError(.invalidValue, "Name the metadata field: 'metadata.FIELD'.", param: name)
            }
            self.init(name: name, kind: kind ?? .categorical)
            return
        }
        guard let builtIn = Self.builtIn.first(where: { $0.name == name }) else {
            let names = Self.builtIn.map(\.name) + ["metadata.FIELD"]
            throw KeelError(.invalidValue, "'\(name)' is not a feature (\(names.joined(separator: ", "))).", param: name)
        }
        if let kind, kind != builtIn.kind {
            throw KeelError(.invalidValue, "'\(name)' is \(builtIn.kind.rawValue); only metadata fields take a kind.", param: name)
        }
        self.init(name: name, kind: builtIn.kind)
    }

    /// A feature as configuration writes it: its name, or `{name, kind}` for a numerical metadata field.
    public init(json value: JSONValue, path: String) throws(KeelError) {
        do throws(KeelError) {
            if let name = value.stringValue {
                try self.init(named: name)
            } else if let object = value.objectValue, let name = object["name"]?.stringValue,
                object.keys.allSatisfy({ ["name", "kind"].contains($0) })
            {
                let kind = try object["kind"].map { given throws(KeelError) in
                    guard let kind = given.stringValue.flatMap(Kind.init(rawValue:)) else {
                        throw KeelError(.invalidValue, "A feature's kind is numerical or categorical.", param: "kind")
                    }
                    return kind
                }
                try self.init(named: name, kind: kind)
            } else {
                throw KeelError(.invalidType, "A feature is a name, or { name: metadata.FIELD, kind: numerical }.", param: path)
            }
        } catch {
            throw KeelError(error.code, error.message, param: path)
        }
    }

    /// A window's values of the feature as a sample (`null` left out).
    public func sample(_ values: [JSONValue]) throws(KeelError) -> DriftSample {
        try DriftSample(json: values, categorical: kind == .categorical)
    }
}
