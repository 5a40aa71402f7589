import KeelCore
import Testing

/// A dataset file is every case or nothing: each bad line is named with its number and why.
@Suite struct DatasetFileTests {
    @Test func everyInvalidLineIsReportedAndNothingIsTaken() throws {
        let text = """
            {"id": "a", "variables": {"x": 1}, "expected": "yes", "category": "refunds", "risk_tier": "high", "weight": 3}
            {"id": "a", "variables": {}}

            not json
            {"id": "b", "variables": {}, "risk_tier": "extreme"}
            {"id": "c"}
            {"id": "d", "messages": [{"role": "user", "content": "hi"}], "reference": {"queue": "tech"}, "metadata": {"source": "log"}}
            {"id": "e", "variables": {}, "colour": "red"}
            """
        guard case .failure(let refused) = DatasetFile.parse(text) else {
            Issue.record("a file with bad lines must be refused")
            return
        }
        #expect(refused.problems.map(\.line) == [2, 4, 5, 6, 8])
        #expect(refused.problems[0].message.contains("already the one of line 1"))
        #expect(refused.problems[2].message.contains("'extreme' is not low, medium or high"))
        #expect(refused.problems[4].message.contains("'colour'"))

        let good = try DatasetFile.parse(
            [1, 7].map { text.split(separator: "\n", omittingEmptySubsequences: false)[$0 - 1] }.joined(separator: "\n")
        ).get()
        #expect(good.map(\.id) == ["a", "d"])
        #expect(good[0].riskTier == .high && good[0].weight == 3 && good[0].category == "refunds" && good[0].variables?["x"] == 1)
        #expect(good[1].expected == ["queue": "tech"] && good[1].messages?.count == 1, "a reference is the expected answer")
        #expect(try EvaluationCase(json: .object(good[1].json)) == good[1], "a case reads back from its line")
        guard case .failure = DatasetFile.parse("\n\n") else {
            Issue.record("an empty file is refused")
            return
        }
    }
}
