import Crypto
import Foundation

/// One case of a dataset: the input (a prompt's `variables`, chat `messages` after the prompt's, or
/// both), what a good answer is (`expected`), and what the case stands for — its `category`, its
/// `risk_tier` and its `weight` in averages.
public struct EvaluationCase: Sendable, Hashable {
    public var id: String
    public var variables: JSONObject?
    public var messages: [JSONObject]?
    /// The expected answer: text, or any JSON for the scorers that compare fields.
    public var expected: JSONValue?
    public var category: String?
    public var riskTier: RiskTier?
    public var weight: Double

    public init(
        id: String,
        variables: JSONObject? = nil,
        messages: [JSONObject]? = nil,
        expected: JSONValue? = nil,
        category: String? = nil,
        riskTier: RiskTier? = nil,
        weight: Double = 1
    ) {
        self.id = id
        self.variables = variables
        self.messages = messages
        self.expected = expected
        self.category = category
        self.riskTier = riskTier
        self.weight = weight
    }

    static let fields: Set<String> = ["id", "variables", "messages", "expected", "reference", "category", "risk_tier", "weight", "metadata"]

    /// Reads one JSONL line's object; `reference` is taken for `expected`, `metadata` is ignored.
    public init(json value: JSONValue) throws(KeelError) {
        let reader = try FieldReader(body: value)
        if let unknown = reader.object.keys.first(where: { !Self.fields.contains($0) }) {
            throw reader.invalid(unknown, "is not a field of a case (\(Self.fields.sorted().joined(separator: ", "))).")
        }
        let id = try reader.optional("id", "a string or a number") { $0.stringValue ?? $0.integerValue.map(String.init) }
        guard let id, !id.isEmpty, id.count <= 200 else { throw KeelError(.missingField, "A case needs an 'id' (1 to 200 characters).", param: "id") }
        let variables = try reader.object("variables")
        let messages = try reader.array("messages").map { items throws(KeelError) in
            try items.enumerated().map { position, item throws(KeelError) in
                guard let object = item.objectValue else { throw reader.typeError("messages.\(position)", "an object", item) }
                return object
            }
        }
        guard variables != nil || messages != nil else {
            throw KeelError(.missingField, "A case has 'variables' (for a prompt), 'messages', or both.", param: "variables")
        }
        let tier = try reader.string("risk_tier")
        var riskTier: RiskTier?
        if let tier {
            guard let known = RiskTier(rawValue: tier) else { throw reader.invalid("risk_tier", "'\(tier)' is not low, medium or high.") }
            riskTier = known
        }
        let weight = try reader.number("weight", in: 0...1_000_000) ?? 1
        self.init(
            id: id,
            variables: variables,
            messages: messages,
            expected: reader.value("expected") ?? reader.value("reference"),
            category: try reader.string("category"),
            riskTier: riskTier,
            weight: weight
        )
    }

    /// The case as a JSONL line: the fields set, in a fixed order.
    public var json: JSONObject {
        var object = JSONObject([("id", .string(id))])
        if let variables { object["variables"] = .object(variables) }
        if let messages { object["messages"] = .array(messages.map(JSONValue.object)) }
        if let expected { object["expected"] = expected }
        if let category { object["category"] = .string(category) }
        if let riskTier { object["risk_tier"] = .string(riskTier.rawValue) }
        if weight != 1 { object["weight"] = .double(weight) }
        return object
    }
}

extension [EvaluationCase] {
    /// The SHA-256 of the cases' JSON lines, in order: a dataset's content.
    public var contentHash: String {
        var hasher = SHA256()
        for item in self { hasher.update(data: JSONValue.object(item.json).serialized() + [10]) }
        return Digest.hex(hasher.finalize())
    }
}
