import Foundation

/// A Responses API `response` object: what `POST /v1/responses` answers, a stream's lifecycle
/// events carry, and `GET /v1/responses/{id}` gives again. Its output items take ids derived from
/// the response's, so that a stream's events and the finished object name the same items.
public struct ResponseObject: Sendable {
    public enum Status: String, Sendable {
        case inProgress = "in_progress"
        case completed, incomplete, failed
    }

    public let id: String
    public let createdAt: Int
    public let request: ResponsesRequest
    /// The conversation the response is a turn of, when it is stored.
    public let conversation: String?

    public init(id: String, createdAt: Int, request: ResponsesRequest, conversation: String?) {
        self.id = id
        self.createdAt = createdAt
        self.request = request
        self.conversation = conversation
    }

    /// The response of `exchange`, once the pipeline has run it: a repeat of an idempotent request
    /// is the first's response again.
    public init(exchange: Exchange, request: ResponsesRequest) {
        self.init(
            id: Self.id(ofRequest: exchange.replayOf ?? exchange.id),
            createdAt: Int(exchange.startedAt.timeIntervalSince1970),
            request: request,
            conversation: request.store ? exchange.workflowID : nil
        )
    }

    /// The response id of the request `requestID` (`req_…` becomes `resp_…`).
    public static func id(ofRequest requestID: String) -> String { "resp_" + requestID.dropFirst("req_".count) }

    /// The request id behind a response id: the inverse of ``id(ofRequest:)``.
    public static func requestID(of responseID: String) -> String? {
        responseID.hasPrefix("resp_") ? "req_" + responseID.dropFirst("resp_".count) : nil
    }

    /// The id of the message item that carries the response's text.
    public var messageID: String { "msg_" + id.dropFirst("resp_".count) }

    /// The id of the function-call item for the response's `index`-th tool call.
    public func functionCallID(_ index: Int) -> String { "fc_\(id.dropFirst("resp_".count))_\(index)" }

    /// The object for `completion`: completed, or incomplete when the model stopped at the token limit
    /// or a content filter.
    public func json(for completion: ChatCompletion, model: String? = nil) -> JSONObject {
        let finish = completion.finishReasons.first ?? "stop"
        let status: Status = finish == "length" || finish == "content_filter" ? .incomplete : .completed
        var object = json(status: status, model: model ?? completion.model, output: output(of: completion), usage: completion.usage)
        if status == .incomplete {
            object["incomplete_details"] = ["reason": finish == "length" ? "max_output_tokens" : "content_filter"]
        }
        return object
    }

    /// The object in `status`, with `output` and `usage` so far and, when it failed, the error.
    public func json(status: Status, model: String, output: [JSONValue] = [], usage: TokenUsage? = nil, error: KeelError? = nil) -> JSONObject {
        var object = JSONObject([
            ("id", .string(id)), ("object", "response"), ("created_at", JSONValue(createdAt)), ("status", .string(status.rawValue)),
            ("background", false), ("error", error.map(Self.error) ?? .null), ("incomplete_details", .null),
            ("instructions", JSONValue(request.instructions)), ("max_output_tokens", request.maxOutputTokens.map(JSONValue.init) ?? .null),
            ("model", .string(model)), ("output", .array(output)), ("parallel_tool_calls", .bool(request.parallelToolCalls)),
            ("previous_response_id", JSONValue(request.previousResponseID)), ("reasoning", ["effort": nil, "summary": nil]),
            ("store", .bool(request.store)), ("temperature", .double(request.temperature ?? 1)), ("text", .object(request.text)),
            ("tool_choice", request.toolChoice), ("tools", .array(request.tools)), ("top_p", .double(request.topP ?? 1)),
            ("truncation", .string(request.truncation)), ("usage", usage.map(Self.usage) ?? .null), ("user", JSONValue(request.user)),
            ("metadata", .object(request.metadata)),
        ])
        if let conversation { object["conversation"] = ["id": .string(conversation)] }
        return object
    }

    /// The output items of `completion`'s first choice: its message (text or refusal), then each tool call.
    public func output(of completion: ChatCompletion) -> [JSONValue] {
        let message = completion.message ?? JSONObject()
        var items: [JSONValue] = []
        var parts: [JSONValue] = []
        if let text = message["content"]?.stringValue, !text.isEmpty { parts.append(.object(Self.textPart(text))) }
        if let refusal = message["refusal"]?.stringValue { parts.append(.object(Self.refusalPart(refusal))) }
        let calls = message["tool_calls"]?.arrayValue ?? []
        if !parts.isEmpty || calls.isEmpty { items.append(.object(messageItem(status: "completed", content: parts))) }
        for (index, call) in calls.enumerated() {
            let function = call.objectValue?["function"]?.objectValue
            items.append(
                .object(
                    functionCallItem(
                        index: index,
                        callID: call.objectValue?["id"]?.stringValue ?? functionCallID(index),
                        name: function?["name"]?.stringValue ?? "",
                        arguments: function?["arguments"]?.stringValue ?? "",
                        status: "completed"
                    )
                )
            )
        }
        return items
    }

    func messageItem(status: String, content: [JSONValue]) -> JSONObject {
        JSONObject([
            ("id", .string(messageID)), ("type", "message"), ("status", .string(status)), ("role", "assistant"), ("content", .array(content)),
        ])
    }

    func functionCallItem(index: Int, callID: String, name: String, arguments: String, status: String) -> JSONObject {
        JSONObject([
            ("id", .string(functionCallID(index))), ("type", "function_call"), ("status", .string(status)), ("call_id", .string(callID)),
            ("name", .string(name)), ("arguments", .string(arguments)),
        ])
    }

    static func textPart(_ text: String) -> JSONObject {
        JSONObject([("type", "output_text"), ("text", .string(text)), ("annotations", []), ("logprobs", [])])
    }

    static func refusalPart(_ refusal: String) -> JSONObject { JSONObject([("type", "refusal"), ("refusal", .string(refusal))]) }

    /// Usage in the Responses API's terms.
    static func usage(_ usage: TokenUsage) -> JSONValue {
        [
            "input_tokens": JSONValue(usage.inputTokens),
            "input_tokens_details": ["cached_tokens": JSONValue(usage.cachedInputTokens), "cache_write_tokens": 0],
            "output_tokens": JSONValue(usage.outputTokens), "output_tokens_details": ["reasoning_tokens": JSONValue(usage.reasoningTokens)],
            "total_tokens": JSONValue(usage.totalTokens),
        ]
    }

    /// A failure as the response's `error`: OpenAI's codes where one fits, Keel's otherwise.
    static func error(_ error: KeelError) -> JSONValue {
        let code = error.code.category == .rateLimited ? "rate_limit_exceeded" : "server_error"
        return ["code": .string(code), "message": .string(error.message)]
    }
}
