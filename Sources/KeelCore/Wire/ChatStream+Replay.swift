extension ChatStream {
    /// A finished completion sent as a stream: a role chunk, the content, each tool call whole,
    /// the finish reason, then the usage chunk when the completion has usage.
    public init(replaying completion: ChatCompletion) {
        let id = completion.id
        let created = Int(completion.json["created"]?.integerValue ?? 0)
        let model = completion.model
        func chunk(_ delta: JSONObject, finishReason: String? = nil) -> ChatCompletionChunk {
            ChatCompletionChunk(id: id, created: created, model: model, delta: delta, finishReason: finishReason)
        }
        var chunks = [chunk(JSONObject([("role", "assistant"), ("content", "")]))]
        if let content = completion.content, !content.isEmpty {
            chunks.append(chunk(JSONObject([("content", .string(content))])))
        }
        for (index, call) in (completion.message?["tool_calls"]?.arrayValue ?? []).enumerated() {
            guard var call = call.objectValue else { continue }
            call["index"] = JSONValue(index)
            chunks.append(chunk(JSONObject([("tool_calls", [.object(call)])])))
        }
        chunks.append(chunk(JSONObject(), finishReason: completion.finishReasons.first ?? "stop"))
        if let usage = completion.usage { chunks.append(ChatCompletionChunk(id: id, created: created, model: model, usage: usage)) }
        self.init(chunks)
    }
}

/// Gathers a single-choice stream back into the completion it streamed — its text, refusal and
/// tool calls — for caching, idempotent repeats and workflow steps. Streams it cannot rebuild
/// faithfully (several choices, fields it does not know) give `nil`.
public struct StreamTranscript: Sendable {
    private var id = ""
    private var created = 0
    private var model = ""
    private var text = ""
    private var refusal: String?
    /// Tool calls by their `index` in the deltas, in the order they began.
    private var toolCalls: [(index: Int, call: JSONObject, arguments: String)] = []
    private var finishReason: String?
    private var usage: TokenUsage?
    private var faithful = true

    /// What a delta may hold; a model's reasoning text is left out of the answer it rebuilds.
    private static let knownDeltaKeys: Set<String> = ["role", "content", "refusal", "tool_calls", "reasoning_content", "reasoning"]

    public init() {}

    public mutating func add(_ chunk: ChatCompletionChunk) {
        if id.isEmpty {
            id = chunk.json["id"]?.stringValue ?? ""
            created = Int(chunk.json["created"]?.integerValue ?? 0)
            model = chunk.json["model"]?.stringValue ?? ""
        }
        if let usage = chunk.usage { self.usage = usage }
        let choices = chunk.json["choices"]?.arrayValue ?? []
        guard !choices.isEmpty else { return }
        let delta = choices[0].objectValue?["delta"]?.objectValue ?? JSONObject()
        if choices.count > 1 || delta.keys.contains(where: { !Self.knownDeltaKeys.contains($0) }) { faithful = false }
        text += chunk.contentDelta ?? ""
        if let refused = chunk.refusalDelta { refusal = (refusal ?? "") + refused }
        for call in delta["tool_calls"]?.arrayValue ?? [] { addToolCall(call) }
        if let reason = chunk.finishReason { finishReason = reason }
    }

    /// A tool call's delta: its first names the call (id, type, function name), the rest add arguments.
    private mutating func addToolCall(_ delta: JSONValue) {
        guard let delta = delta.objectValue else {
            faithful = false
            return
        }
        let index = Int(delta["index"]?.integerValue ?? Int64(toolCalls.count))
        let function = delta["function"]?.objectValue
        let arguments = function?["arguments"]?.stringValue ?? ""
        if let position = toolCalls.firstIndex(where: { $0.index == index }) {
            toolCalls[position].arguments += arguments
            return
        }
        var call = JSONObject()
        call["id"] = delta["id"] ?? .string("")
        call["type"] = delta["type"] ?? "function"
        call["function"] = ["name": function?["name"] ?? .string("")]
        toolCalls.append((index, call, arguments))
    }

    /// The completion, when the stream finished.
    public var completion: ChatCompletion? {
        guard faithful, let finishReason else { return nil }
        var completion = ChatCompletion(id: id, created: created, model: model, contents: [text], finishReason: finishReason, usage: usage)
        guard refusal != nil || !toolCalls.isEmpty else { return completion }
        completion = completion.mappingChoices { choices in
            guard var choice = choices.arrayValue?.first?.objectValue, var message = choice["message"]?.objectValue else { return choices }
            message["refusal"] = JSONValue(refusal)
            if !toolCalls.isEmpty {
                if text.isEmpty { message["content"] = .null }
                message["tool_calls"] = .array(
                    toolCalls.map { entry in
                        var call = entry.call
                        var function = call["function"]?.objectValue ?? JSONObject()
                        function["arguments"] = .string(entry.arguments)
                        call["function"] = .object(function)
                        return .object(call)
                    }
                )
            }
            choice["message"] = .object(message)
            return [.object(choice)]
        }
        return completion
    }
}
