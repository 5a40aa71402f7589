/// Turns a chat stream into the Messages API's events, in Anthropic's order: `message_start`,
/// `ping`, then for each block `content_block_start`, its `content_block_delta`s (`text_delta`,
/// `input_json_delta`) and `content_block_stop`, then `message_delta` with the stop reason and
/// usage, and `message_stop` — or an `error` event when the upstream fails after the stream began.
public struct MessagesStreamTranslator: ChunkTranslator {
    private let message: AnthropicMessage
    private let inputTokens: Int
    private var blocks = 0
    /// The open block: text, or the tool call of a chat delta index.
    private var open: Block?
    private var finishReason: String?
    private var usage: TokenUsage?

    private enum Block: Equatable {
        case text
        case toolCall(Int)
    }

    /// `inputTokens` is what `message_start` reports before the upstream's count arrives with `message_delta`.
    public init(message: AnthropicMessage, inputTokens: Int) {
        self.message = message
        self.inputTokens = inputTokens
    }

    public mutating func start() -> [NamedEvent] {
        let opening = message.json(content: [], stopReason: nil, usage: TokenUsage(inputTokens: inputTokens, outputTokens: 0))
        return [
            NamedEvent("message_start", JSONObject([("type", "message_start"), ("message", .object(opening))])),
            NamedEvent("ping", JSONObject([("type", "ping")])),
        ]
    }

    public mutating func translate(_ chunk: ChatCompletionChunk) -> [NamedEvent] {
        if let usage = chunk.usage { self.usage = usage }
        if let reason = chunk.finishReason { finishReason = reason }
        var events: [NamedEvent] = []
        if let text = chunk.contentDelta, !text.isEmpty {
            events += begin(.text, ["type": "text", "text": ""])
            events.append(delta(["type": "text_delta", "text": .string(text)]))
        }
        let delta = chunk.json["choices"]?.arrayValue?.first?.objectValue?["delta"]?.objectValue
        for call in delta?["tool_calls"]?.arrayValue ?? [] {
            guard let call = call.objectValue else { continue }
            let index = Int(call["index"]?.integerValue ?? 0)
            let function = call["function"]?.objectValue
            if open != .toolCall(index) {
                let block = AnthropicMessage.toolUseBlock(
                    id: call["id"]?.stringValue ?? "",
                    name: function?["name"]?.stringValue ?? "",
                    input: .object(JSONObject())
                )
                events += begin(.toolCall(index), .object(block))
            }
            if let arguments = function?["arguments"]?.stringValue, !arguments.isEmpty {
                events.append(self.delta(["type": "input_json_delta", "partial_json": .string(arguments)]))
            }
        }
        return events
    }

    public mutating func finish() -> [NamedEvent] {
        var usage = AnthropicMessage.usage(self.usage ?? TokenUsage(inputTokens: inputTokens, outputTokens: 0))
        usage["cache_creation_input_tokens"] = nil
        return close() + [
            NamedEvent(
                "message_delta",
                JSONObject([
                    ("type", "message_delta"),
                    ("delta", ["stop_reason": .string(AnthropicMessage.stopReason(finishReason)), "stop_sequence": nil]),
                    ("usage", .object(usage)),
                ])
            ),
            NamedEvent("message_stop", JSONObject([("type", "message_stop")])),
        ]
    }

    public mutating func fail(_ error: KeelError) -> [NamedEvent] {
        [NamedEvent("error", error.anthropicBody(requestID: nil).objectValue ?? JSONObject())]
    }

    /// Opens `block` (closing the one before) unless it is already open.
    private mutating func begin(_ block: Block, _ contentBlock: JSONValue) -> [NamedEvent] {
        guard open != block else { return [] }
        let events = close()
        open = block
        blocks += 1
        return events + [
            NamedEvent(
                "content_block_start",
                JSONObject([("type", "content_block_start"), ("index", JSONValue(blocks - 1)), ("content_block", contentBlock)])
            )
        ]
    }

    private func delta(_ delta: JSONValue) -> NamedEvent {
        NamedEvent("content_block_delta", JSONObject([("type", "content_block_delta"), ("index", JSONValue(blocks - 1)), ("delta", delta)]))
    }

    private mutating func close() -> [NamedEvent] {
        guard open != nil else { return [] }
        open = nil
        return [NamedEvent("content_block_stop", JSONObject([("type", "content_block_stop"), ("index", JSONValue(blocks - 1))]))]
    }
}
