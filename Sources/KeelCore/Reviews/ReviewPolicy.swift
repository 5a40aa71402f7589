import Foundation

/// How a route's risky cases are handled (its `review` section): the extra validation a medium
/// case's answer passes to be released, and how a person's review of the others runs.
///
/// ```yaml
/// review:
///   wait_seconds: 20          # a client waits this long for a decision, then gets 202 and a review id
///   claim_minutes: 15         # a claim lapses after this long without a decision
///   sla_minutes: 60           # undecided after this long: escalated once through the alert channels
///   category: claim_type      # what the error distribution counts cases under (a field, or answer.FIELD)
///   callback_url: https://claims.example/keel-decisions   # decided answers are POSTed here
///   validate:                 # a medium case's answer is released only if it passes these
///     schema: { type: object, required: [decision] }
///     rules: ['answer.refund <= amount']
///     agree: { route: claims-check, on: [decision] }   # a second model (another route) must agree
/// ```
///
/// A medium case whose answer fails validation goes to a person like a high one.
public struct ReviewPolicy: Sendable, Hashable {
    public var waitSeconds: Double
    public var claimMinutes: Double
    public var slaMinutes: Double
    /// The field (of the record, or `answer.FIELD`) a case is counted under.
    public var category: RiskPolicy.Rule?
    public var callbackURL: String?
    /// The JSON Schema a medium case's answer (read as JSON) must meet.
    public var schema: JSONSchema?
    /// Rules a medium case's answer must meet.
    public var rules: [RiskPolicy.Rule]
    /// A second model that must agree with a medium case's answer.
    public var agreement: Agreement?
    private var source: JSONValue = [:]

    static let keys: Set<String> = ["wait_seconds", "claim_minutes", "sla_minutes", "category", "callback_url", "validate"]

    /// The defaults: no wait (202 at once), claims of 15 minutes, an hour's SLA, no validation.
    public init() {
        waitSeconds = 0
        claimMinutes = 15
        slaMinutes = 60
        rules = []
    }

    public init(json value: JSONValue, path: String) throws(KeelError) {
        self.init()
        source = value
        guard let object = value.objectValue else { throw KeelError(.invalidType, "A review policy is an object.", param: path) }
        let reader = FieldReader(object, path: path)
        if let unknown = object.keys.first(where: { !Self.keys.contains($0) }) {
            throw reader.invalid(unknown, "is not a review setting (\(Self.keys.sorted().joined(separator: ", "))).")
        }
        waitSeconds = try reader.number("wait_seconds", in: 0...3_600) ?? waitSeconds
        claimMinutes = try reader.number("claim_minutes", in: 0.1...1_440) ?? claimMinutes
        slaMinutes = try reader.number("sla_minutes", in: 0.01...43_200) ?? slaMinutes
        if let category = reader.value("category") { self.category = try RiskPolicy.Rule(json: category, place: reader.param("category")) }
        if let url = try reader.string("callback_url") {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
                throw reader.invalid("callback_url", "is not an http(s) URL.")
            }
            callbackURL = url
        }
        if let validate = try reader.object("validate") {
            let checks = FieldReader(validate, path: reader.param("validate"))
            if let unknown = validate.keys.first(where: { !["schema", "rules", "agree"].contains($0) }) {
                throw checks.invalid(unknown, "is not a validation (schema, rules, agree).")
            }
            if let agree = try checks.object("agree") { agreement = try Agreement(agree, path: checks.param("agree")) }
            if let source = checks.value("schema") {
                do throws(KeelError) {
                    schema = try JSONSchema(source)
                } catch {
                    throw KeelError(error.code, error.message, param: checks.param("schema"))
                }
            }
            if let given = checks.value("rules") {
                let items = given.arrayValue ?? [given]
                for (index, item) in items.enumerated() { rules.append(try RiskPolicy.Rule(json: item, place: checks.param("rules.\(index)"))) }
            }
        }
    }

    /// A second model asked the same request, through another route: its answer must match the
    /// first on the fields named (of the answers read as JSON), or as a whole text without them.
    public struct Agreement: Sendable, Hashable {
        public var route: String
        public var fields: [String]

        init(_ object: JSONObject, path: String) throws(KeelError) {
            let reader = FieldReader(object, path: path)
            if let unknown = object.keys.first(where: { $0 != "route" && $0 != "on" }) {
                throw reader.invalid(unknown, "is not a setting (route, on).")
            }
            route = try reader.required("route", "a route's name") { $0.stringValue }
            fields =
                try reader.array("on")?.enumerated().map { index, item throws(KeelError) in
                    guard let field = item.stringValue else { throw reader.typeError("on.\(index)", "a field name", item) }
                    return field
                } ?? []
        }

        /// Why `second` does not agree with `first`, or `nil` when it does.
        public func disagreement(of first: ChatCompletion, with second: ChatCompletion) -> String? {
            let (a, b) = (first.content ?? "", second.content ?? "")
            guard !fields.isEmpty else {
                let same =
                    a.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() == b.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
                return same ? nil : "the second model (\(route)) answered otherwise"
            }
            let (left, right) = (AnswerJSON.parse(a), AnswerJSON.parse(b))
            let differing = fields.filter { left?.value(at: $0) == nil || left?.value(at: $0) != right?.value(at: $0) }
            return differing.isEmpty ? nil : "the second model (\(route)) disagrees on \(differing.joined(separator: ", "))"
        }
    }

    /// Two policies are equal when they were read from the same configuration.
    public static func == (lhs: ReviewPolicy, rhs: ReviewPolicy) -> Bool { lhs.source == rhs.source }
    public func hash(into hasher: inout Hasher) { hasher.combine(source) }

    /// Why a medium case's answer may not be released as it is; empty when it passes.
    public func failures(of assessment: RiskPolicy.Assessment) -> [String] {
        var failures: [String] = []
        if let schema {
            if let answer = assessment.answer {
                failures += schema.validate(answer).map { "the answer does not meet the output schema: \($0)" }
            } else {
                failures.append("the answer is not JSON, as the output schema requires")
            }
        }
        failures += rules.filter { !assessment.evaluate($0).isTruthy }.map { "the answer breaks the rule '\($0.text)'" }
        return failures
    }

    /// What the case is counted under, if the policy names a category and the case has one.
    public func category(of assessment: RiskPolicy.Assessment) -> String? {
        guard let category else { return nil }
        switch assessment.evaluate(category) {
        case .null: return nil
        case .string(let text): return text
        case let other: return other.jsonString
        }
    }
}
