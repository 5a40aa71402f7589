/// How a route's answers are evaluated — a route's `evaluation` section, and what each run keeps
/// of it: the dataset (`NAME` or `NAME@VERSION`), the scorers every answer must pass, per-case
/// limits on latency and cost, and the gate a prompt version must pass to take a label.
///
/// ```yaml
/// evaluation:
///   dataset: triage-cases
///   scorers: [{type: label, path: queue}, json_valid]
///   max_latency_ms: 5000
///   max_cost_usd: 0.01
///   gate:
///     - {min_pass_rate: 0.85, max_drop: 0.02}
///     - {tier: high, min_pass_rate: 0.95}
/// ```
public struct EvaluationPlan: Sendable, Hashable {
    public var dataset: String?
    public var datasetVersion: Int?
    public var scorers: [Scorer]
    public var maximumLatencyMs: Double?
    public var maximumCost: Money?
    public var gate: [GateCondition]

    public init(
        dataset: String? = nil,
        datasetVersion: Int? = nil,
        scorers: [Scorer] = [.exact],
        maximumLatencyMs: Double? = nil,
        maximumCost: Money? = nil,
        gate: [GateCondition] = []
    ) {
        self.dataset = dataset
        self.datasetVersion = datasetVersion
        self.scorers = scorers
        self.maximumLatencyMs = maximumLatencyMs
        self.maximumCost = maximumCost
        self.gate = gate
    }

    static let fields: Set<String> = ["dataset", "scorers", "max_latency_ms", "max_cost_usd", "gate"]

    /// Reads the section; `path` prefixes the `param` of every error (`routes.triage.evaluation`).
    public init(json value: JSONValue, path: String = "") throws(KeelError) {
        guard let object = value.objectValue else { throw KeelError(.invalidType, "An evaluation is an object.", param: path) }
        let reader = FieldReader(object, path: path)
        if let unknown = object.keys.first(where: { !Self.fields.contains($0) }) {
            throw reader.invalid(unknown, "is not an evaluation setting (\(Self.fields.sorted().joined(separator: ", "))).")
        }
        self.init()
        if let dataset = try reader.string("dataset") {
            let parts = dataset.split(separator: "@", maxSplits: 1).map(String.init)
            self.dataset = parts[0]
            if parts.count == 2 {
                guard let number = Int(parts[1]), number > 0 else { throw reader.invalid("dataset", "write NAME or NAME@VERSION.") }
                datasetVersion = number
            }
        }
        if let scorers = try reader.array("scorers") {
            guard !scorers.isEmpty else { throw reader.invalid("scorers", "name at least one scorer.") }
            self.scorers = try scorers.enumerated().map { index, item throws(KeelError) in
                try Scorer(json: item, path: reader.param("scorers.\(index)"))
            }
        }
        maximumLatencyMs = try reader.number("max_latency_ms", in: 1...86_400_000)
        maximumCost = try reader.number("max_cost_usd", in: 0...1_000_000).map(Money.init(dollars:))
        gate = try (reader.array("gate") ?? []).enumerated().map { index, item throws(KeelError) in
            try GateCondition(json: item, path: reader.param("gate.\(index)"))
        }
    }

    public var json: JSONValue {
        var object = JSONObject()
        if let dataset { object["dataset"] = .string(datasetVersion.map { "\(dataset)@\($0)" } ?? dataset) }
        object["scorers"] = .array(scorers.map(\.json))
        if let maximumLatencyMs { object["max_latency_ms"] = .double(maximumLatencyMs) }
        if let maximumCost { object["max_cost_usd"] = .double(maximumCost.dollars) }
        if !gate.isEmpty { object["gate"] = .array(gate.map(\.json)) }
        return .object(object)
    }
}
