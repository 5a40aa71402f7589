/// Dataset cases made from the request log: each answered chat request whose body the log kept
/// becomes a case with its input (the prompt's variables, the caller's messages) and, as its
/// expected answer, the application's correction when feedback gave one, else the answer it got.
public struct LoggedCases: Sendable {
    public var cases: [EvaluationCase] = []
    /// Requests left out, by why.
    public var skipped: [String: Int] = [:]

    /// The cases of `records`, with `feedback` on them; only corrected requests when `correctedOnly`.
    public init(records: [RequestRecord], feedback: [Feedback], correctedOnly: Bool) {
        var corrections: [String: JSONValue] = [:]
        for item in feedback { if let correction = item.correction { corrections[item.requestID] = correction } }
        for record in records {
            guard record.operation == "chat", record.status == 200 else {
                skipped["not an answered chat request", default: 0] += 1
                continue
            }
            let correction = corrections[record.id]
            if correctedOnly, correction == nil {
                skipped["no correction", default: 0] += 1
                continue
            }
            guard let text = record.requestBody else {
                skipped["body not kept (log.bodies: none)", default: 0] += 1
                continue
            }
            guard let body = try? JSONParser.parse(text).objectValue else {
                skipped["body cut or not JSON", default: 0] += 1
                continue
            }
            let prompt = body["prompt"]?.objectValue
            let variables = prompt?["variables"]?.objectValue ?? body["variables"]?.objectValue ?? (prompt == nil ? nil : JSONObject())
            let messages = body["messages"]?.arrayValue?.compactMap(\.objectValue)
            let expected = correction ?? Self.answer(record.responseBody)
            guard variables != nil || !(messages ?? []).isEmpty else {
                skipped["no input", default: 0] += 1
                continue
            }
            cases.append(
                EvaluationCase(id: record.id, variables: variables, messages: (messages ?? []).isEmpty ? nil : messages, expected: expected)
            )
        }
    }

    /// The text of a kept chat completion.
    static func answer(_ body: String?) -> JSONValue? {
        guard let body, let completion = try? JSONParser.parse(body).objectValue else { return nil }
        return completion["choices"]?.arrayValue?.first?.objectValue?["message"]?.objectValue?["content"]
    }
}
