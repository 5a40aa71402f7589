import Foundation

extension Scorer {
    /// What this scorer says of `answer` to a case expecting `expected`. `schema` is the prompt's
    /// answer schema; `input` describes the case for a judge; `models` makes the calls of
    /// `similarity` and `judge`, whose cost is returned.
    public func score(
        _ answer: String,
        expected: JSONValue?,
        schema: JSONValue?,
        input: String,
        models: any ModelScoring
    ) async throws -> (score: Score, cost: Money) {
        switch self {
        case .similarity(let route, let threshold):
            guard let reference = expected.map(Self.text) else { return (missingExpected, .zero) }
            let (vectors, cost) = try await models.embed([answer, reference], route: route)
            guard vectors.count == 2 else { throw KeelError(.internalError, "The embeddings route '\(route)' did not answer two vectors.") }
            let cosine = Self.cosine(vectors[0], vectors[1])
            let detail = cosine >= threshold ? nil : "cosine \(Self.rounded(cosine)) is below \(threshold)"
            return (Score(scorer: name, passed: cosine >= threshold, value: cosine, detail: detail), cost)
        case .judge(let route, let rubric):
            let judge = Judge(rubric: rubric)
            let (text, cost) = try await models.complete(
                judge.messages(input: input, answer: answer, reference: expected.map(Self.text)),
                route: route
            )
            let verdict = try Judge.verdict(from: text)
            return (Score(scorer: name, passed: verdict.passed, value: verdict.score, predicted: verdict.label, detail: verdict.reason), cost)
        default:
            return (score(answer, expected: expected, schema: schema), .zero)
        }
    }

    /// The scorers that need no model.
    func score(_ answer: String, expected: JSONValue?, schema: JSONValue?) -> Score {
        let trimmed = answer.trimmingCharacters(in: .whitespacesAndNewlines)
        switch self {
        case .exact:
            guard let expected = expected.map(Self.text) else { return missingExpected }
            let wanted = expected.trimmingCharacters(in: .whitespacesAndNewlines)
            return result(trimmed == wanted, "expected \(Self.quoted(wanted)), got \(Self.quoted(trimmed))")
        case .contains(let value):
            guard let needle = value ?? expected.map(Self.text) else { return missingExpected }
            return result(answer.contains(needle), "does not contain \(Self.quoted(needle))")
        case .regex(let pattern):
            guard let pattern = pattern ?? expected.map(Self.text) else { return missingExpected }
            guard let regex = try? Regex(pattern) else { return result(false, "'\(pattern)' is not a regular expression") }
            return result(answer.contains(regex), "does not match /\(pattern)/")
        case .jsonValid:
            return result(AnswerJSON.parse(answer) != nil, "is not JSON")
        case .jsonSchema(let given):
            guard let schema = given ?? schema else { return result(false, "no schema: the prompt has no answer schema and the scorer names none") }
            guard let json = AnswerJSON.parse(answer) else { return result(false, "is not JSON") }
            do {
                let problems = try JSONSchema(schema).validate(json)
                return result(problems.isEmpty, problems.prefix(3).joined(separator: "; "))
            } catch {
                return result(false, "the schema is invalid: \(error.message)")
            }
        case .jsonField(let path):
            guard let expected else { return missingExpected }
            let wanted = Self.field(expected, at: path) ?? expected
            guard let json = AnswerJSON.parse(answer) else { return result(false, "is not JSON") }
            guard let got = json.value(at: path) else { return result(false, "has no field '\(path)'") }
            return result(Self.equal(got, wanted), "'\(path)' is \(got.jsonString), expected \(wanted.jsonString)")
        case .numeric(let tolerance, let path):
            guard let expected, let wanted = Self.number(path.flatMap { Self.field(expected, at: $0) } ?? expected) else {
                return missingExpected
            }
            let got = path.map { AnswerJSON.parse(answer)?.value(at: $0).flatMap(Self.number) } ?? Self.number(.string(trimmed))
            guard let got else { return result(false, path.map { "has no number at '\($0)'" } ?? "is not a number") }
            let difference = abs(got - wanted)
            var score = result(difference <= tolerance, "\(got) is \(difference) from \(wanted), more than \(tolerance)")
            score.value = difference
            return score
        case .label(let path):
            guard let expected else { return missingExpected }
            let wanted = Self.label(path.flatMap { Self.field(expected, at: $0) } ?? expected)
            let got = path.map { AnswerJSON.parse(answer)?.value(at: $0).map(Self.label) ?? "" } ?? Self.label(.string(answer))
            var score = result(got == wanted, "labelled \(Self.quoted(got)), expected \(Self.quoted(wanted))")
            score.predicted = got
            score.expected = wanted
            return score
        case .similarity, .judge:
            return result(false, "needs a model")
        }
    }

    private func result(_ passed: Bool, _ failure: @autoclosure () -> String) -> Score {
        Score(scorer: name, passed: passed, detail: passed ? nil : failure())
    }

    private var missingExpected: Score { result(false, "the case has no expected answer") }

    /// Text as written, other JSON as its serialisation.
    static func text(_ value: JSONValue) -> String { value.stringValue ?? value.jsonString }

    /// A label: the text lowercased and trimmed of spaces and final punctuation.
    static func label(_ value: JSONValue) -> String {
        text(value).trimmingCharacters(in: .whitespacesAndNewlines).trimmingCharacters(in: CharacterSet(charactersIn: ".!\"'"))
            .trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    /// A number, or text that is one.
    static func number(_ value: JSONValue) -> Double? {
        value.doubleValue ?? value.stringValue.flatMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// The field at `path` of an expected object or array; `nil` for a plain expected value.
    static func field(_ value: JSONValue, at path: String) -> JSONValue? {
        switch value {
        case .object, .array: value.value(at: path)
        default: nil
        }
    }

    /// JSON equality where 1 and 1.0 are the same number.
    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if let x = a.doubleValue, let y = b.doubleValue { return x == y }
        return a == b
    }

    static func cosine(_ a: [Double], _ b: [Double]) -> Double {
        guard a.count == b.count, !a.isEmpty else { return 0 }
        var (dot, normA, normB) = (0.0, 0.0, 0.0)
        for (x, y) in zip(a, b) {
            dot += x * y
            normA += x * x
            normB += y * y
        }
        guard normA > 0, normB > 0 else { return 0 }
        return dot / (normA.squareRoot() * normB.squareRoot())
    }

    private static func quoted(_ text: String) -> String {
        let short = text.count > 80 ? String(text.prefix(80)) + "…" : text
        return "'\(short)'"
    }

    private static func rounded(_ value: Double) -> String { String(format: "%.3f", value) }
}
