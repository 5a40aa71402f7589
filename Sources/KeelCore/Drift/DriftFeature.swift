/// A feature of the request log a drift monitor watches, and whether its values are numbers or
/// categories: one every request has (tokens, latency, cost, finish reason, prompt version,
/// model), one read from the content (the input's script, refusal, JSON validity), or a field of
/// the request's `metadata` (`metadata.segment`, categorical unless declared numerical).
public struct DriftFeature: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case numerical, categorical
    }

    /// Where a feature's value comes from.
    public enum Source: Sendable, Hashable {
        case builtIn(BuiltIn)
        case metadata(field: String)
    }

    /// The features every request has, and those read from its content.
    public enum BuiltIn: String, Sendable, Hashable, CaseIterable {
        case inputTokens = "input_tokens"
        case outputTokens = "output_tokens"
        case latencyMs = "latency_ms"
        case ttftMs = "ttft_ms"
        case costUSD = "cost_usd"
        case finishReason = "finish_reason"
        case promptVersion = "prompt_version"
        case model
        case inputScript = "input_script"
        case refusal
        case jsonValid = "json_valid"

        public var kind: Kind {
            switch self {
            case .inputTokens, .outputTokens, .latencyMs, .ttftMs, .costUSD: .numerical
            default: .categorical
            }
        }

        /// Whether the feature is read from the content (``ContentSignals``), which only monitored routes note.
        public var readsContent: Bool { self == .inputScript || self == .refusal || self == .jsonValid }
    }

    public var name: String
    public var kind: Kind
    public var source: Source

    /// What a monitor watches when it names no features.
    public static let defaults = ["input_tokens", "output_tokens", "latency_ms", "cost_usd", "finish_reason", "model", "prompt_version"]

    static let metadataPrefix = "metadata."

    /// A feature by its name: a built-in one, or `metadata.FIELD` (categorical unless `kind` says otherwise).
    public init(named name: String, kind: Kind? = nil) throws(KeelError) {
        if name.hasPrefix(Self.metadataPrefix) {
            guard name.count > Self.metadataPrefix.count else {
                throw KeelError(.invalidValue, "Name the metadata field: 'metadata.FIELD'.", param: name)
            }
            self.init(name: name, kind: kind ?? .categorical, source: .metadata(field: String(name.dropFirst(Self.metadataPrefix.count))))
            return
        }
        guard let builtIn = BuiltIn(rawValue: name) else {
            let names = BuiltIn.allCases.map(\.rawValue) + ["metadata.FIELD"]
            throw KeelError(.invalidValue, "'\(name)' is not a feature (\(names.joined(separator: ", "))).", param: name)
        }
        if let kind, kind != builtIn.kind {
            throw KeelError(.invalidValue, "'\(name)' is \(builtIn.kind.rawValue); only metadata fields take a kind.", param: name)
        }
        self.init(name: name, kind: builtIn.kind, source: .builtIn(builtIn))
    }

    private init(name: String, kind: Kind, source: Source) {
        self.name = name
        self.kind = kind
        self.source = source
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

    /// Whether the feature is read from the content.
    public var readsContent: Bool {
        if case .builtIn(let builtIn) = source { builtIn.readsContent } else { false }
    }

    /// A window's values of the feature as a sample (`null` left out).
    public func sample(_ values: [JSONValue]) throws(KeelError) -> DriftSample {
        try DriftSample(json: values, categorical: kind == .categorical)
    }
}
