import Foundation

/// A model asked to grade an answer against a rubric (LLM-as-judge). It is told to reply with
/// `{"verdict": "pass" | "fail", "score": 0…1, "reason": "…"}`; ``verdict(from:)`` reads that,
/// fenced or not, and also a bare `PASS` or `FAIL`.
public struct Judge: Sendable, Hashable {
    public struct Verdict: Sendable, Hashable {
        public var passed: Bool
        /// `pass` or `fail`: the judge's label, compared with people's in calibration.
        public var label: String
        public var score: Double?
        public var reason: String?
    }

    public var rubric: String

    public init(rubric: String) { self.rubric = rubric }

    /// The judge's conversation: the rubric and the reply format, then the case, answer and reference.
    public func messages(input: String, answer: String, reference: String?) -> [JSONObject] {
        let instructions = """
            You grade an AI assistant's answer. Apply this rubric:
            \(rubric)

            Reply with one JSON object and nothing else: {"verdict": "pass" or "fail", "score": a number from 0 to 1, "reason": "one sentence"}.
            """
        var content = "<input>\n\(input)\n</input>\n<answer>\n\(answer)\n</answer>"
        if let reference { content += "\n<reference>\n\(reference)\n</reference>" }
        return [
            JSONObject([("role", "system"), ("content", .string(instructions))]),
            JSONObject([("role", "user"), ("content", .string(content))]),
        ]
    }

    /// The verdict in a judge's reply; a reply without one is an error, not a failing grade.
    public static func verdict(from reply: String) throws(KeelError) -> Verdict {
        if let object = AnswerJSON.parse(reply)?.objectValue {
            let score = object["score"]?.doubleValue
            let reason = object["reason"]?.stringValue
            if let passed = object["verdict"]?.stringValue.flatMap(passed(_:)) ?? object["pass"]?.boolValue ?? object["passed"]?.boolValue {
                return Verdict(passed: passed, label: passed ? "pass" : "fail", score: score, reason: reason)
            }
            if let score { return Verdict(passed: score >= 0.5, label: score >= 0.5 ? "pass" : "fail", score: score, reason: reason) }
        }
        if let passed = passed(reply) { return Verdict(passed: passed, label: passed ? "pass" : "fail", score: nil, reason: nil) }
        throw KeelError(.upstreamError, "The judge's reply holds no verdict: \(reply.prefix(120))")
    }

    private static func passed(_ word: String) -> Bool? {
        switch word.trimmingCharacters(in: .whitespacesAndNewlines.union(.punctuationCharacters)).lowercased() {
        case "pass", "passed", "yes", "true", "correct": true
        case "fail", "failed", "no", "false", "incorrect": false
        default: nil
        }
    }
}
