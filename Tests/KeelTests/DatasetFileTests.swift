import Foundation
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

    @Test func loggedRequestsBecomeCasesWithTheirCorrections() throws {
        func record(_ id: String, body: String?, answer: String? = "Billing.", status: Int = 200, operation: String = "chat") -> RequestRecord {
            var record = RequestRecord(id: id, startedAt: Date(), operation: operation, status: status, durationMs: 1, attempts: [])
            record.requestBody = body
            record.responseBody = answer.map { #"{"choices": [{"index": 0, "message": {"role": "assistant", "content": "\#($0)"}}]}"# }
            return record
        }
        let records = [
            record("req_prompted", body: #"{"model": "m", "prompt": {"id": "triage", "version": "2", "variables": {"ticket": "refund"}}}"#),
            record("req_plain", body: #"{"model": "m", "messages": [{"role": "user", "content": "hi"}], "variables": null}"#),
            record(
                "req_both",
                body: #"{"model": "m", "prompt": {"id": "triage"}, "variables": {"ticket": "x"}, "messages": [{"role": "user", "content": "more"}]}"#
            ),
            record("req_unkept", body: nil),
            record("req_cut", body: #"{"model": "m", "messages": [{"role": "us"#),
            record("req_failed", body: #"{"model": "m", "messages": []}"#, status: 502),
            record("req_embed", body: #"{"model": "e", "input": "x"}"#, operation: "embeddings"),
        ]
        let feedback = [
            Feedback(requestID: "req_plain", team: nil, keyID: nil, score: 0, createdAt: Date()),
            Feedback(requestID: "req_prompted", team: nil, keyID: nil, correction: ["queue": "refunds"], createdAt: Date()),
        ]
        let logged = LoggedCases(records: records, feedback: feedback, correctedOnly: false)
        #expect(logged.cases.map(\.id) == ["req_prompted", "req_plain", "req_both"])
        #expect(logged.cases[0].variables?["ticket"] == "refund" && logged.cases[0].expected == ["queue": "refunds"], "the correction is expected")
        #expect(logged.cases[1].messages?.count == 1 && logged.cases[1].expected == "Billing.", "else the answer it got")
        #expect(logged.cases[2].variables?["ticket"] == "x" && logged.cases[2].messages?.first?["content"] == "more")
        #expect(logged.skipped == ["body not kept (log.bodies: none)": 1, "body cut or not JSON": 1, "not an answered chat request": 2])
        let corrected = LoggedCases(records: records, feedback: feedback, correctedOnly: true)
        #expect(corrected.cases.map(\.id) == ["req_prompted"] && corrected.skipped["no correction"] == 4)
        let lines = logged.cases.map { JSONValue.object($0.json).jsonString }.joined(separator: "\n")
        let again = try DatasetFile.parse(lines).get()
        #expect(again == logged.cases, "the cases are valid dataset lines")
    }
}
