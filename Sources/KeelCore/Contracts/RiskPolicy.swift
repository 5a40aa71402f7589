import Foundation

/// A route's risk policy (its `risk` section): named values, fields derived from the record, and
/// the rules that make a case `high` or `medium` (any rule of a tier that holds); the rest is `low`.
///
/// ```yaml
/// risk:
///   values: { high_risk_countries: [RU, IR, KP], eur_rates: { EUR: 1, USD: 0.92, GBP: 1.17 } }
///   derive: { amount_eur: "amount * eur_rates[currency]" }     # in order; later ones may use earlier ones
///   high: ['amount_eur >= 10000', 'segment == "vip"', 'country in high_risk_countries']
///   medium: ['note contains_any ["dispute", "fraud"]', 'answer.confidence < 0.7']
/// ```
///
/// Rules name the record's fields, derived fields, the values, and `answer` (the model's answer,
/// read as JSON when it is JSON: `answer.category`); before the answer exists, `answer` is null.
public struct RiskPolicy: Sendable, Hashable {
    public struct Rule: Sendable, Hashable {
        public var text: String
        public var expression: RiskExpression

        /// Whether the rule reads the model's answer.
        public var readsAnswer: Bool { text.range(of: #"\banswer\b"#, options: .regularExpression) != nil }

        /// The rule written at `place` of a configuration.
        init(json value: JSONValue, place: String) throws(KeelError) {
            guard let text = value.stringValue else { throw KeelError(.invalidType, "A rule is a string.", param: place) }
            do throws(KeelError) {
                self.init(text: text, expression: try RiskExpression(parsing: text))
            } catch {
                throw KeelError(error.code, error.message, param: place)
            }
        }

        init(text: String, expression: RiskExpression) {
            self.text = text
            self.expression = expression
        }
    }

    /// A field computed from the record, in order: later ones may use earlier ones.
    public struct Derived: Sendable, Hashable {
        public var name: String
        public var rule: Rule
    }

    public var values: JSONObject
    public var derive: [Derived]
    public private(set) var high: [Rule]
    public private(set) var medium: [Rule]

    static let keys: Set<String> = ["values", "derive", "high", "medium"]

    public init(json value: JSONValue, path: String) throws(KeelError) {
        guard let object = value.objectValue else { throw KeelError(.invalidType, "A risk policy is an object.", param: path) }
        let reader = FieldReader(object, path: path)
        if let unknown = object.keys.first(where: { !Self.keys.contains($0) }) {
            throw reader.invalid(unknown, "is not a risk setting (\(Self.keys.sorted().joined(separator: ", "))).")
        }
        func rule(_ value: JSONValue, _ place: String) throws(KeelError) -> Rule { try Rule(json: value, place: place) }
        func rules(_ key: String) throws(KeelError) -> [Rule] {
            guard let given = reader.value(key) else { return [] }
            let items = given.arrayValue ?? [given]
            var rules: [Rule] = []
            for (index, item) in items.enumerated() { rules.append(try rule(item, reader.param(given.arrayValue == nil ? key : "\(key).\(index)"))) }
            return rules
        }
        values = try reader.object("values") ?? JSONObject()
        derive = []
        for entry in try reader.object("derive")?.entries ?? [] {
            derive.append(Derived(name: entry.key, rule: try rule(entry.value, reader.param("derive.\(entry.key)"))))
        }
        high = try rules("high")
        medium = try rules("medium")
        readsAnswer = (high + medium).contains(where: \.readsAnswer)
    }

    /// A case's tier and the rules that gave it, and what its rules read.
    public struct Assessment: Sendable, Hashable {
        public var tier: RiskTier
        public var reasons: [String]
        /// The record as its contract normalised it.
        public var record: JSONObject
        /// The derived fields' values.
        public var derived: JSONObject
        /// The policy's named values.
        public var values: JSONObject
        /// The model's answer, read as JSON when it is JSON; `nil` before it exists.
        public var answer: JSONValue?

        /// `rule`'s value over the derived fields, the record, the policy's values and the answer, looked up in that order.
        public func evaluate(_ rule: Rule) -> JSONValue {
            rule.expression.evaluate { path in
                guard let first = path.first else { return nil }
                var value = first == "answer" ? answer : derived[first] ?? record[first] ?? values[first]
                for component in path.dropFirst() { value = value?.objectValue?[component] }
                return value
            }
        }
    }

    /// Whether any rule reads the model's answer, so that the tier is known only once it exists.
    public let readsAnswer: Bool

    /// The tier of `record`, with the model's `answer` if there is one yet.
    public func assess(_ record: JSONObject, answer: JSONValue? = nil) -> Assessment {
        var assessment = Assessment(tier: .low, reasons: [], record: record, derived: JSONObject(), values: values, answer: answer)
        for field in derive { assessment.derived[field.name] = assessment.evaluate(field.rule) }
        let highs = high.filter { assessment.evaluate($0).isTruthy }.map(\.text)
        let mediums = medium.filter { assessment.evaluate($0).isTruthy }.map(\.text)
        assessment.tier = !highs.isEmpty ? .high : mediums.isEmpty ? .low : .medium
        assessment.reasons = highs.isEmpty ? mediums : highs
        return assessment
    }
}
