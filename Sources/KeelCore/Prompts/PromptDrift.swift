import Foundation

/// A prompt's versions side by side over time: each one's size in tokens and its growth, the traffic
/// it served and what a request cost, its latest evaluation's pass rate and the applications'
/// feedback — so that a prompt that grows, costs more or scores worse shows which version did it.
public struct PromptDrift: Sendable {
    public struct Version: Sendable, Hashable {
        public var number: Int
        public var createdAt: Date
        public var tokens: Int
        /// Tokens against the version before; `nil` for the first.
        public var tokenChange: Int?
        public var requests: Int
        public var costPerRequest: Money?
        /// The latest finished evaluation run of the version, and its pass rate.
        public var run: String?
        public var passRate: Double?
        public var feedbackMean: Double?
        public var feedbackCount: Int
        /// The labels pointing at it now.
        public var labels: [String]
    }

    public var prompt: RegistryName
    public var versions: [Version]

    public init(
        prompt: RegistryName,
        versions: [PromptVersion],
        labels: [String: Int],
        costs: [CostReport.Line],
        evaluations: [Int: (run: String, passRate: Double?)],
        feedback: [(version: Int, mean: Double, count: Int)]
    ) {
        self.prompt = prompt
        let byGroup = Dictionary(costs.compactMap { line in line.group.map { ($0, line) } }, uniquingKeysWith: { first, _ in first })
        var previous: Int?
        self.versions = versions.map { version in
            let line = byGroup["\(prompt.name)@\(version.number)"]
            let scores = feedback.first { $0.version == version.number }
            defer { previous = version.tokens }
            return Version(
                number: version.number,
                createdAt: version.createdAt,
                tokens: version.tokens,
                tokenChange: previous.map { version.tokens - $0 },
                requests: line?.requests ?? 0,
                costPerRequest: line.map { $0.requests > 0 ? Money(picodollars: $0.cost.picodollars / Int64($0.requests)) : .zero },
                run: evaluations[version.number]?.run,
                passRate: evaluations[version.number]?.passRate,
                feedbackMean: scores?.mean,
                feedbackCount: scores?.count ?? 0,
                labels: labels.filter { $0.value == version.number }.keys.sorted()
            )
        }
    }

    public var json: JSONObject {
        JSONObject([
            ("prompt", .string(prompt.description)),
            (
                "versions",
                .array(
                    versions.map { version in
                        var object = JSONObject([
                            ("version", JSONValue(version.number)),
                            ("created_at", .string(ISO8601DateFormatter.keel.string(from: version.createdAt))),
                        ])
                        object["tokens"] = JSONValue(version.tokens)
                        object["token_change"] = version.tokenChange.map(JSONValue.init) ?? .null
                        object["requests"] = JSONValue(version.requests)
                        object["cost_per_request_usd"] = version.costPerRequest.map { .double($0.dollars) } ?? .null
                        object["evaluation_run"] = JSONValue(version.run)
                        object["pass_rate"] = version.passRate.map(JSONValue.double) ?? .null
                        object["feedback_mean"] = version.feedbackMean.map(JSONValue.double) ?? .null
                        object["feedback_count"] = JSONValue(version.feedbackCount)
                        object["labels"] = .array(version.labels.map(JSONValue.string))
                        return .object(object)
                    }
                )
            ),
        ])
    }

    public var text: String {
        var lines = [
            "Prompt \(prompt): \(versions.count) version(s)",
            "  version  created     tokens (change)  requests  cost/request  pass rate  feedback      labels",
        ]
        for version in versions {
            let change = version.tokenChange.map { $0 >= 0 ? "+\($0)" : "\($0)" } ?? "–"
            let passRate = version.passRate.map { String(format: "%.1f %%", $0 * 100) } ?? "–"
            let feedback = version.feedbackMean.map { String(format: "%.2f (%d)", $0, version.feedbackCount) } ?? "–"
            let created = String(ISO8601DateFormatter.keel.string(from: version.createdAt).prefix(10))
            let tokens = "\(version.tokens) (\(change))"
            lines.append(
                "  \(String(version.number).padding(toLength: 8, withPad: " ", startingAt: 0)) \(created)  \(tokens.padding(toLength: 16, withPad: " ", startingAt: 0)) \(String(version.requests).padding(toLength: 9, withPad: " ", startingAt: 0)) \((version.costPerRequest?.description ?? "–").padding(toLength: 13, withPad: " ", startingAt: 0)) \(passRate.padding(toLength: 10, withPad: " ", startingAt: 0)) \(feedback.padding(toLength: 13, withPad: " ", startingAt: 0)) \(version.labels.joined(separator: ", "))"
            )
        }
        return lines.joined(separator: "\n")
    }
}
