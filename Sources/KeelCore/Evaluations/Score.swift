/// What one scorer said of one answer.
public struct Score: Sendable, Hashable {
    /// The scorer's name (``Scorer/name``), or `latency` and `cost` for a case's limits.
    public var scorer: String
    public var passed: Bool
    /// A measure where the scorer has one: the cosine, the judge's score, the numeric difference.
    public var value: Double?
    /// The `label` scorer's labels, for the confusion matrix (and the judge's verdict).
    public var predicted: String?
    public var expected: String?
    /// Why it failed, for a person reading the report.
    public var detail: String?

    public init(scorer: String, passed: Bool, value: Double? = nil, predicted: String? = nil, expected: String? = nil, detail: String? = nil) {
        self.scorer = scorer
        self.passed = passed
        self.value = value
        self.predicted = predicted
        self.expected = expected
        self.detail = detail
    }

    public var json: JSONValue {
        var object = JSONObject([("scorer", .string(scorer)), ("passed", .bool(passed))])
        if let value { object["value"] = .double(value) }
        if let predicted { object["predicted"] = .string(predicted) }
        if let expected { object["expected"] = .string(expected) }
        if let detail { object["detail"] = .string(detail) }
        return .object(object)
    }

    public init(json value: JSONValue) throws(KeelError) {
        let reader = try FieldReader(body: value)
        self.init(
            scorer: try reader.required("scorer", "a string") { $0.stringValue },
            passed: try reader.required("passed", "a boolean") { $0.boolValue },
            value: try reader.number("value"),
            predicted: try reader.string("predicted"),
            expected: try reader.string("expected"),
            detail: try reader.string("detail")
        )
    }
}

/// The calls a scorer may make to models, through the gateway like any request (and counted apart
/// from the case's own cost).
public protocol ModelScoring: Sendable {
    /// The embeddings of `texts`, through the embeddings route `route`.
    func embed(_ texts: [String], route: String) async throws -> (vectors: [[Double]], cost: Money)
    /// The answer's text to `messages`, through the chat route `route`.
    func complete(_ messages: [JSONObject], route: String) async throws -> (text: String, cost: Money)
}
