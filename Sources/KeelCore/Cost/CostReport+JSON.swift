import Foundation

extension CostReport {
    /// The report as the admin API gives it.
    public var json: JSONValue {
        [
            "object": "cost_report", "group_by": .string(grouping.rawValue),
            "since": .string(ISO8601DateFormatter.keel.string(from: since)), "until": .string(ISO8601DateFormatter.keel.string(from: until)),
            "data": .array(lines.map(\.json)), "total": total.json,
        ]
    }
}

extension CostReport.Line {
    public var json: JSONValue {
        [
            "group": JSONValue(group), "requests": JSONValue(requests), "input_tokens": JSONValue(inputTokens),
            "output_tokens": JSONValue(outputTokens), "cost_usd": .double(cost.dollars), "estimated_cost_usd": .double(estimatedCost.dollars),
            "retry_cost_usd": .double(retryCost.dollars), "cost_per_request_usd": .double(costPerRequest.dollars),
        ]
    }
}

extension PromptInflation {
    /// The trends as the admin API gives them.
    public var json: JSONValue {
        let data: [JSONValue] = trends.map { trend in
            [
                "route": .string(trend.route), "change": .double(trend.change),
                "days": .array(
                    trend.days.map { day in
                        [
                            "day": .string(day.day), "requests": JSONValue(day.requests), "input_tokens": JSONValue(day.inputTokens),
                            "input_tokens_per_request": .double(day.mean),
                        ]
                    }
                ),
            ]
        }
        return ["object": "prompt_inflation", "data": .array(data)]
    }
}
