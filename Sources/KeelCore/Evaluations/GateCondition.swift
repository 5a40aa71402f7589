/// One condition of a route's gate, over the whole dataset, a category or a risk tier: the least
/// pass rate the candidate must reach, and the most it may fall below the version that holds the
/// label now (both as fractions: `0.9`, `0.02`).
public struct GateCondition: Sendable, Hashable {
    public enum Scope: Sendable, Hashable, CustomStringConvertible {
        case overall
        case category(String)
        case tier(RiskTier)

        public var description: String {
            switch self {
            case .overall: "overall"
            case .category(let name): "category \(name)"
            case .tier(let tier): "\(tier.rawValue)-risk tier"
            }
        }
    }

    public var scope: Scope
    public var minimumPassRate: Double?
    public var maximumDrop: Double?

    public init(scope: Scope, minimumPassRate: Double? = nil, maximumDrop: Double? = nil) {
        self.scope = scope
        self.minimumPassRate = minimumPassRate
        self.maximumDrop = maximumDrop
    }

    /// `{category: billing, min_pass_rate: 0.9, max_drop: 0.02}`, `{tier: high, …}`, or neither for the whole dataset.
    public init(json value: JSONValue, path: String) throws(KeelError) {
        guard let object = value.objectValue else { throw KeelError(.invalidType, "A gate condition is an object.", param: path) }
        let reader = FieldReader(object, path: path)
        let known: Set<String> = ["category", "tier", "min_pass_rate", "max_drop"]
        if let unknown = object.keys.first(where: { !known.contains($0) }) {
            throw reader.invalid(unknown, "is not a setting of a gate condition (\(known.sorted().joined(separator: ", "))).")
        }
        let category = try reader.string("category")
        let tier = try reader.string("tier")
        switch (category, tier) {
        case (let category?, nil): scope = .category(category)
        case (nil, let tier?):
            guard let known = RiskTier(rawValue: tier) else { throw reader.invalid("tier", "'\(tier)' is not low, medium or high.") }
            scope = .tier(known)
        case (nil, nil): scope = .overall
        case (.some, .some): throw reader.invalid("tier", "a condition covers a category or a tier, not both.")
        }
        minimumPassRate = try reader.number("min_pass_rate", in: 0...1)
        maximumDrop = try reader.number("max_drop", in: 0...1)
        guard minimumPassRate != nil || maximumDrop != nil else {
            throw KeelError(.missingField, "A gate condition sets 'min_pass_rate', 'max_drop' or both.", param: reader.param("min_pass_rate"))
        }
    }

    public var json: JSONValue {
        var object = JSONObject()
        switch scope {
        case .overall: break
        case .category(let name): object["category"] = .string(name)
        case .tier(let tier): object["tier"] = .string(tier.rawValue)
        }
        if let minimumPassRate { object["min_pass_rate"] = .double(minimumPassRate) }
        if let maximumDrop { object["max_drop"] = .double(maximumDrop) }
        return .object(object)
    }
}
