import Foundation
import KeelCore
import Testing

/// Each scorer on answers that pass and answers that fail, and how scorers are written.
@Suite struct ScorerTests {
    /// Models for the scorers that call one: embeddings by the text's first letters, a scripted judge.
    struct Models: ModelScoring {
        var judgeReply = "```json\n{\"verdict\": \"fail\", \"score\": 0.2, \"reason\": \"Rude.\"}\n```"

        func embed(_ texts: [String], route: String) async throws -> (vectors: [[Double]], cost: Money) {
            (
                texts.map { text in ["a", "b", "c"].map { letter in Double(text.lowercased().filter { String($0) == letter }.count) } },
                Money(picodollars: 5)
            )
        }

        func complete(_ messages: [JSONObject], route: String) async throws -> (text: String, cost: Money) {
            #expect(messages.count == 2 && messages[0]["content"]?.stringValue?.contains("Be kind.") == true)
            #expect(messages[1]["content"]?.stringValue?.contains("<reference>") == true)
            return (judgeReply, Money(picodollars: 7))
        }
    }

    func score(_ scorer: Scorer, _ answer: String, expected: JSONValue?, schema: JSONValue? = nil) async throws -> Score {
        try await scorer.score(answer, expected: expected, schema: schema, input: "{}", models: Models()).score
    }

    @Test func textScorers() async throws {
        #expect(try await score(.exact, "  Paris\n", expected: "Paris").passed)
        let wrong = try await score(.exact, "paris", expected: "Paris")
        #expect(!wrong.passed && wrong.detail == "expected 'Paris', got 'paris'")
        #expect(try await score(.contains(nil), "The capital is Paris.", expected: "Paris").passed)
        #expect(try await !score(.contains("Lyon"), "The capital is Paris.", expected: "Paris").passed)
        #expect(try await score(.regex(#"^\d{4}-\d{2}$"#), "2026-12", expected: nil).passed)
        #expect(try await !score(.regex(#"^\d{4}$"#), "20261", expected: nil).passed)
        #expect(try await !score(.exact, "x", expected: nil).passed, "no expected answer fails, it does not pass")
    }

    @Test func jsonScorers() async throws {
        let schema: JSONValue = ["type": "object", "required": ["queue"], "properties": ["queue": ["enum": ["billing", "tech"]]]]
        #expect(try await score(.jsonValid, "```json\n{\"a\": 1}\n```", expected: nil).passed, "a fenced block is read")
        #expect(try await score(.jsonValid, "```json {\"a\": 1}```", expected: nil).passed, "on one line too")
        #expect(try await !score(.jsonValid, "{a: 1}", expected: nil).passed)
        #expect(try await score(.jsonSchema(nil), #"{"queue": "tech"}"#, expected: nil, schema: schema).passed)
        let invalid = try await score(.jsonSchema(nil), #"{"queue": "sales"}"#, expected: nil, schema: schema)
        #expect(!invalid.passed && invalid.detail?.hasPrefix("/queue: must be one of") == true)
        #expect(try await !score(.jsonSchema(nil), #"{"queue": "tech"}"#, expected: nil).passed, "no schema anywhere fails")
        #expect(try await score(.jsonField("order.id"), #"{"order": {"id": 42.0}}"#, expected: ["order": ["id": 42]]).passed)
        #expect(try await score(.jsonField("queue"), #"{"queue": "tech"}"#, expected: "tech").passed, "a plain expected value is the field's")
        #expect(try await !score(.jsonField("queue"), #"{"team": "tech"}"#, expected: "tech").passed)
    }

    @Test func numericAndLabelScorers() async throws {
        #expect(try await score(.numeric(tolerance: 0.05, path: nil), " 3.14 ", expected: 3.1416).passed)
        let far = try await score(.numeric(tolerance: 0.001, path: nil), "3.14", expected: "3.1416")
        #expect(!far.passed && far.value.map { abs($0 - 0.0016) < 1e-9 } == true)
        #expect(try await score(.numeric(tolerance: 0, path: "total"), #"{"total": 12}"#, expected: ["total": 12]).passed)
        #expect(try await !score(.numeric(tolerance: 1, path: nil), "about twelve", expected: 12).passed)
        let label = try await score(.label(path: nil), "Billing.", expected: "billing")
        #expect(label.passed && label.predicted == "billing" && label.expected == "billing")
        let mislabelled = try await score(.label(path: "queue"), #"{"queue": "Tech"}"#, expected: ["queue": "billing"])
        #expect(!mislabelled.passed && mislabelled.predicted == "tech" && mislabelled.expected == "billing")
    }

    @Test func modelScorersCountTheirCost() async throws {
        let close = try await Scorer.similarity(route: "embed", threshold: 0.9).score(
            "abc abc",
            expected: "aabbcc",
            schema: nil,
            input: "",
            models: Models()
        )
        #expect(close.score.passed && close.cost == Money(picodollars: 5) && abs((close.score.value ?? 0) - 1) < 1e-12)
        let apart = try await Scorer.similarity(route: "embed", threshold: 0.9).score(
            "aaa",
            expected: "ccc",
            schema: nil,
            input: "",
            models: Models()
        )
        #expect(!apart.score.passed && apart.score.value == 0)
        let judged = try await Scorer.judge(route: "judge", rubric: "Be kind.").score(
            "No.",
            expected: "Sure!",
            schema: nil,
            input: "",
            models: Models()
        )
        #expect(!judged.score.passed && judged.score.predicted == "fail" && judged.score.detail == "Rude." && judged.cost == Money(picodollars: 7))
    }

    @Test func judgeVerdictsAreReadLeniently() throws {
        #expect(try Judge.verdict(from: #"{"verdict": "PASS", "reason": "ok"}"#).passed)
        #expect(try !Judge.verdict(from: #"{"pass": false}"#).passed)
        #expect(try Judge.verdict(from: #"{"score": 0.8}"#).passed)
        #expect(try !Judge.verdict(from: "FAIL.").passed)
        #expect(throws: KeelError.self) { try Judge.verdict(from: "I think it is fine overall") }
    }

    @Test func scorersAreWrittenAsNamesOrObjectsAndRefusedWithTheirPlace() throws {
        #expect(try Scorer(json: "exact") == .exact)
        let numeric = try Scorer(json: ["type": "numeric", "tolerance": 0.5, "path": "total"])
        let again = try Scorer(json: numeric.json)
        #expect(numeric == .numeric(tolerance: 0.5, path: "total") && again == numeric)
        for scorer: Scorer in [
            .contains("x"), .regex("a+"), .jsonSchema(["type": "string"]), .jsonField("a.b"), .label(path: nil),
            .similarity(route: "e", threshold: 0.7), .judge(route: "j", rubric: "r"),
        ] {
            let again = try Scorer(json: scorer.json)
            #expect(again == scorer, "\(scorer) reads back")
        }
        let problems: [(JSONValue, String)] = [
            ("fuzzy", "scorers.0.type"), (["type": "regex", "pattern": "(open"], "scorers.0.pattern"),
            (["type": "judge", "route": "j"], "scorers.0.rubric"), (["type": "exact", "value": "x"], "scorers.0.value"),
            (["type": "json_schema", "schema": ["$ref": "#/nowhere"]], "scorers.0.schema"),
        ]
        for (json, param) in problems {
            #expect(throws: KeelError.self) { try Scorer(json: json, path: "scorers.0") }
            do { _ = try Scorer(json: json, path: "scorers.0") } catch { #expect(error.param == param, "\(json)") }
        }
    }

    @Test func plansReadTheirGate() throws {
        let plan = try EvaluationPlan(
            json: [
                "dataset": "tickets@3", "scorers": ["json_valid", ["type": "label", "path": "queue"]], "max_latency_ms": 2000, "max_cost_usd": 0.01,
                "gate": [["min_pass_rate": 0.8], ["tier": "high", "min_pass_rate": 0.95, "max_drop": 0], ["category": "fraud", "max_drop": 0.02]],
            ]
        )
        #expect(plan.dataset == "tickets" && plan.datasetVersion == 3 && plan.scorers == [.jsonValid, .label(path: "queue")])
        #expect(plan.gate.map(\.scope) == [.overall, .tier(.high), .category("fraud")] && plan.maximumCost == Money(dollars: 0.01))
        let again = try EvaluationPlan(json: plan.json)
        #expect(again == plan)
        for (json, param) in [
            (["gate": [["tier": "urgent", "min_pass_rate": 1]]] as JSONValue, "e.gate.0.tier"),
            (["gate": [["category": "x"]]], "e.gate.0.min_pass_rate"),
            (["scorers": []], "e.scorers"), (["gate": [["min_pass_rate": 1.5]]], "e.gate.0.min_pass_rate"), (["datasets": "x"], "e.datasets"),
        ] {
            do {
                _ = try EvaluationPlan(json: json, path: "e")
                Issue.record("\(json) was read")
            } catch { #expect(error.param == param, "\(json): \(error)") }
        }
    }
}
