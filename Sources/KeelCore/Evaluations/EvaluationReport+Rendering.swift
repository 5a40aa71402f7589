import Foundation

extension EvaluationReport.Group {
    public var json: JSONObject {
        var object = JSONObject([("name", .string(name)), ("cases", JSONValue(cases))])
        object["passed"] = JSONValue(passed)
        object["failed"] = JSONValue(failed)
        object["errors"] = JSONValue(errors)
        object["pass_rate"] = passRate.map(JSONValue.double) ?? .null
        object["interval"] = interval.map { [.double($0.lower), .double($0.upper)] } ?? .null
        object["cost_usd"] = .double(cost.dollars)
        object["scoring_cost_usd"] = .double(scoringCost.dollars)
        object["latency_p50_ms"] = latencyP50.map(JSONValue.double) ?? .null
        object["latency_p95_ms"] = latencyP95.map(JSONValue.double) ?? .null
        return object
    }

    /// `90.5 % (77.9–96.2)`.
    public var passRateText: String {
        guard let passRate, let interval else { return "–" }
        return "\(Self.percent(passRate)) (\(Self.percent(interval.lower, sign: false))–\(Self.percent(interval.upper, sign: false)))"
    }

    static func percent(_ value: Double, sign: Bool = true) -> String { String(format: sign ? "%.1f %%" : "%.1f", value * 100) }
}

extension EvaluationReport {
    public var json: JSONObject {
        var object = JSONObject([("run", .object(run.json))])
        object["pending"] = JSONValue(pending)
        object["overall"] = .object(overall.json)
        object["categories"] = .array(categories.map { .object($0.json) })
        object["risk_tiers"] = .array(tiers.map { .object($0.json) })
        object["confusion"] = confusion.map(Self.json) ?? .null
        return object
    }

    static func json(_ agreement: LabelAgreement) -> JSONValue {
        [
            "labels": .array(agreement.labels.map(JSONValue.string)),
            "matrix": .array(agreement.matrix.map { .array($0.map(JSONValue.init)) }),
            "agreement": agreement.agreement.map(JSONValue.double) ?? .null,
            "kappa": agreement.kappa.map(JSONValue.double) ?? .null,
        ]
    }

    /// The report in Markdown: the figures, a table per grouping, the label confusion matrix, and
    /// the failing cases with why.
    public func markdown(results: [EvaluationResult], failuresShown: Int = 20) -> String {
        var lines = ["# Evaluation \(run.id): \(run.subject) on \(run.dataset)@\(run.datasetVersion) through \(run.route)", ""]
        var summary = "\(overall.cases) cases · \(overall.passed) passed · \(overall.failed) failed · \(overall.errors) errors"
        summary += " · pass rate \(overall.passRateText) · cost \(overall.cost)"
        if overall.scoringCost > .zero { summary += " (+ \(overall.scoringCost) scoring)" }
        if pending > 0 { summary += " · **\(pending) cases pending** (resume with `keel eval run --resume \(run.id)`)" }
        lines += [summary, ""]
        lines += Self.table("", [overall])
        if categories.count > 1 || categories.first?.name != Self.uncategorised { lines += Self.table("By category", categories) }
        if !tiers.isEmpty { lines += Self.table("By risk tier", tiers) }
        if let confusion {
            lines += ["## Labels (rows expected, columns answered)", ""]
            lines.append("| | " + confusion.labels.joined(separator: " | ") + " |")
            lines.append("|---|" + String(repeating: "---|", count: confusion.labels.count))
            for (row, label) in confusion.labels.enumerated() {
                lines.append("| **\(label)** | " + confusion.matrix[row].map(String.init).joined(separator: " | ") + " |")
            }
            lines.append("")
        }
        let failing = results.filter { !$0.passed }
        if !failing.isEmpty {
            lines += ["## Failing cases (\(failing.count))", ""]
            for result in failing.prefix(failuresShown) {
                let why = result.error ?? result.scores.filter { !$0.passed }.map { "\($0.scorer): \($0.detail ?? "failed")" }.joined(separator: "; ")
                lines.append("- `\(result.caseID)` \(result.outcome.rawValue): \(why)")
            }
            if failing.count > failuresShown { lines.append("- … and \(failing.count - failuresShown) more (`--json` lists all)") }
        }
        return lines.joined(separator: "\n")
    }

    static func table(_ title: String, _ groups: [Group]) -> [String] {
        var lines = title.isEmpty ? [] : ["## \(title)", ""]
        lines.append("| | cases | pass rate (95 % interval) | failed | errors | cost | p50 | p95 |")
        lines.append("|---|---|---|---|---|---|---|---|")
        for group in groups {
            let latency = [group.latencyP50, group.latencyP95].map { $0.map { String(format: "%.0f ms", $0) } ?? "–" }
            lines.append(
                "| \(group.name) | \(group.cases) | \(group.passRateText) | \(group.failed) | \(group.errors) | \(group.cost) | \(latency[0]) | \(latency[1]) |"
            )
        }
        return lines + [""]
    }
}

extension EvaluationComparison {
    public var json: JSONObject {
        var object = JSONObject([("base", .string(base.run.id)), ("candidate", .string(candidate.run.id))])
        for change in [Change.fixed, .regressed, .unchangedPass, .unchangedFail] { object[change.rawValue] = JSONValue(count(change)) }
        object["p_value"] = .double(pValue)
        object["groups"] = .array(
            groupPairs.map { pair in
                [
                    "name": .string(pair.name), "base": pair.base.map { .object($0.json) } ?? .null,
                    "candidate": pair.candidate.map { .object($0.json) } ?? .null,
                ]
            }
        )
        object["cases"] = .array(
            changes.map { change in
                [
                    "case": .string(change.caseID), "change": .string(change.change.rawValue), "base": .string(change.base.rawValue),
                    "candidate": .string(change.candidate.rawValue),
                ]
            }
        )
        return object
    }

    /// Overall, each category and each tier: the base's group beside the candidate's.
    public var groupPairs: [(name: String, base: EvaluationReport.Group?, candidate: EvaluationReport.Group?)] {
        var pairs = [(name: "overall", base: Optional(base.overall), candidate: Optional(candidate.overall))]
        let categories = Set(base.categories.map(\.name) + candidate.categories.map(\.name)).sorted()
        for name in categories where !(categories == [EvaluationReport.uncategorised]) {
            pairs.append(("category \(name)", base.group(.category(name)), candidate.group(.category(name))))
        }
        for tier in RiskTier.allCases.reversed() {
            let pair = (name: "\(tier.rawValue)-risk tier", base: base.group(.tier(tier)), candidate: candidate.group(.tier(tier)))
            if pair.base != nil || pair.candidate != nil { pairs.append(pair) }
        }
        return pairs
    }

    public func markdown() -> String {
        var lines = ["# \(base.run.subject) (\(base.run.id)) → \(candidate.run.subject) (\(candidate.run.id))", ""]
        lines.append(
            "\(count(.fixed)) fixed · \(count(.regressed)) regressed · \(count(.unchangedPass) + count(.unchangedFail)) unchanged (\(count(.unchangedPass)) passing, \(count(.unchangedFail)) failing) · McNemar p = \(String(format: "%.3g", pValue))"
        )
        lines += ["", "| | base | candidate | change |", "|---|---|---|---|"]
        for pair in groupPairs {
            let change =
                pair.base?.passRate.flatMap { old in pair.candidate?.passRate.map { String(format: "%+.1f points", ($0 - old) * 100) } } ?? "–"
            lines.append("| \(pair.name) | \(pair.base?.passRateText ?? "–") | \(pair.candidate?.passRateText ?? "–") | \(change) |")
        }
        for change in [Change.regressed, .fixed] {
            let cases = changes.filter { $0.change == change }.map { "`\($0.caseID)`" }
            if !cases.isEmpty { lines += ["", "**\(change.rawValue.capitalized)**: " + cases.joined(separator: ", ")] }
        }
        return lines.joined(separator: "\n")
    }
}

extension GateVerdict {
    public var json: JSONObject {
        var object = JSONObject([("holds", .bool(holds)), ("problems", .array(problems.map(JSONValue.string)))])
        object["checks"] = .array(
            checks.map { check in
                var item = check.condition.json.objectValue ?? JSONObject()
                item["scope"] = .string(check.condition.scope.description)
                item["candidate_pass_rate"] = check.candidateRate.map(JSONValue.double) ?? .null
                item["base_pass_rate"] = check.baseRate.map(JSONValue.double) ?? .null
                item["failures"] = .array(check.failures.map(JSONValue.string))
                return .object(item)
            }
        )
        return object
    }

    /// One line a condition, ✓ or ✗, then each problem.
    public var lines: [String] {
        problems.map { "✗ \($0)" }
            + checks.map { check in
                let wanted = [
                    check.condition.minimumPassRate.map { "≥ \(Self.percent($0))" },
                    check.condition.maximumDrop.map { "drop ≤ \(Self.points($0)) points" },
                ]
                .compactMap { $0 }.joined(separator: ", ")
                let rate = check.candidateRate.map(Self.percent) ?? "no cases"
                let base = check.baseRate.map { " (was \(Self.percent($0)))" } ?? ""
                let mark = check.failures.isEmpty ? "✓" : "✗"
                return "\(mark) \(check.condition.scope): \(rate)\(base), wanted \(wanted)" + check.failures.map { "\n    \($0)" }.joined()
            }
    }
}
