import Foundation

/// How often the model's answer was wrong, as reviewers found it: of the decided reviews, those
/// a reviewer edited or rejected, by category, by tier and by both, each with its Wilson 95 %
/// interval. Contests count too (an upheld contest is an error of an answer released earlier).
public struct ReviewErrors: Sendable, Hashable {
    public struct Group: Sendable, Hashable {
        public var category: String?
        public var tier: RiskTier?
        public var reviewed: Int
        public var errors: Int
        public var interval: WilsonInterval

        public var rate: Double? { reviewed == 0 ? nil : Double(errors) / Double(reviewed) }

        public var json: JSONObject {
            var object = JSONObject()
            if let category { object["category"] = .string(category) }
            if let tier { object["tier"] = .string(tier.rawValue) }
            object["reviewed"] = JSONValue(reviewed)
            object["errors"] = JSONValue(errors)
            object["error_rate"] = rate.map(JSONValue.double) ?? .null
            object["interval"] = ["lower": .double(interval.lower), "upper": .double(interval.upper)]
            return object
        }
    }

    public var overall: Group
    public var categories: [Group]
    public var tiers: [Group]
    /// Each category within each tier.
    public var cells: [Group]

    /// Counts `reviews`, of which only the decided ones; cases without a category count as `uncategorised`.
    public init(_ reviews: [Review]) {
        let decided = reviews.compactMap { review in review.decision.map { (review, $0.verdict != .approved) } }
        func group(_ members: [(Review, Bool)], category: String?, tier: RiskTier?) -> Group {
            let errors = members.filter(\.1).count
            return Group(
                category: category,
                tier: tier,
                reviewed: members.count,
                errors: errors,
                interval: WilsonInterval(successes: Double(errors), trials: Double(members.count))
            )
        }
        let category: (Review) -> String = { $0.category ?? "uncategorised" }
        overall = group(decided, category: nil, tier: nil)
        categories = Dictionary(grouping: decided) { category($0.0) }.sorted { $0.key < $1.key }.map { group($0.value, category: $0.key, tier: nil) }
        tiers = RiskTier.allCases.compactMap { tier in
            let members = decided.filter { $0.0.tier == tier }
            return members.isEmpty ? nil : group(members, category: nil, tier: tier)
        }
        cells = tiers.flatMap { tier in
            Dictionary(grouping: decided.filter { $0.0.tier == tier.tier }) { category($0.0) }.sorted { $0.key < $1.key }
                .map { group($0.value, category: $0.key, tier: tier.tier) }
        }
    }

    public var json: JSONObject {
        JSONObject([
            ("overall", .object(overall.json)), ("categories", .array(categories.map { .object($0.json) })),
            ("tiers", .array(tiers.map { .object($0.json) })), ("cells", .array(cells.map { .object($0.json) })),
        ])
    }
}
