extension ChatStream {
    /// A finished completion sent as a stream: a role chunk, the content, the finish reason, then
    /// the usage chunk when the completion has usage.
    public init(replaying completion: ChatCompletion) {
        let id = completion.id
        let created = Int(completion.json["created"]?.integerValue ?? 0)
        let model = completion.model
        var chunks = [ChatCompletionChunk(id: id, created: created, model: model, delta: JSONObject([("role", "assistant"), ("content", "")]))]
        if let content = completion.content, !content.isEmpty {
            chunks.append(ChatCompletionChunk(id: id, created: created, model: model, delta: JSONObject([("content", .string(content))])))
        }
        let finishReason = completion.finishReasons.first ?? "stop"
        chunks.append(ChatCompletionChunk(id: id, created: created, model: model, delta: JSONObject(), finishReason: finishReason))
        if let usage = completion.usage { chunks.append(ChatCompletionChunk(id: id, created: created, model: model, usage: usage)) }
        self.init(chunks)
    }
}

/// Gathers a single-choice text stream back into the completion it streamed, for caching.
/// Streams it cannot rebuild faithfully (tool calls, several choices) give `nil`.
public struct StreamTranscript: Sendable {
    private var id = ""
    private var created = 0
    private var model = ""
    private var text = ""
    private var finishReason: String?
    private var usage: TokenUsage?
    private var faithful = true

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
        if choices.count > 1 || delta.keys.contains(where: { $0 != "role" && $0 != "content" && $0 != "refusal" }) { faithful = false }
        text += chunk.contentDelta ?? ""
        if let reason = chunk.finishReason { finishReason = reason }
    }

    /// The completion, when the stream finished and holds only text.
    public var completion: ChatCompletion? {
        guard faithful, let finishReason else { return nil }
        return ChatCompletion(id: id, created: created, model: model, contents: [text], finishReason: finishReason, usage: usage)
    }
}
