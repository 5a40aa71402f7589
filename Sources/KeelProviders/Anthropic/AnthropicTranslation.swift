import Foundation
import KeelCore

/// Translates between OpenAI Chat Completions and Anthropic Messages, both ways.
enum AnthropicTranslation {
    /// Anthropic requires `max_tokens`; this is used when the client sets none.
    static let defaultMaxTokens = 4096

    // MARK: Request

    /// The Messages API body for a chat request (whose `model` is already the upstream's).
    static func messagesRequest(from request: ChatCompletionRequest) -> JSONValue {
        var body = JSONObject()
        body["model"] = request.json["model"]
        let system = request.messages.filter { $0.role == .system || $0.role == .developer }.compactMap(\.text)
        if !system.isEmpty { body["system"] = .string(system.joined(separator: "\n\n")) }
        body["messages"] = .array(messages(from: request.messages))
        body["max_tokens"] = JSONValue(request.maxOutputTokens ?? defaultMaxTokens)
        if let temperature = request.temperature { body["temperature"] = .double(min(temperature, 1)) }
        if let topP = request.topP { body["top_p"] = .double(topP) }
        if !request.stop.isEmpty { body["stop_sequences"] = .array(request.stop.map(JSONValue.string)) }
        if request.stream { body["stream"] = true }
        if let tools = request.tools { body["tools"] = .array(tools.compactMap(tool)) }
        if let choice = request.toolChoice.flatMap(toolChoice) { body["tool_choice"] = choice }
        if let user = request.json["user"]?.stringValue { body["metadata"] = ["user_id": .string(user)] }
        return .object(body)
    }

    /// Anthropic's alternating user/assistant turns: tool results become user content, tool calls
    /// become `tool_use` blocks, and consecutive turns of one role are merged.
    private static func messages(from messages: [ChatMessage]) -> [JSONValue] {
        var turns: [(role: String, blocks: [JSONValue])] = []
        for message in messages {
            let role: String
            var blocks: [JSONValue] = []
            switch message.role {
            case .system, .developer:
                continue
            case .user:
                role = "user"
                blocks = contentBlocks(of: message)
            case .tool, .function:
                role = "user"
                blocks = [
                    [
                        "type": "tool_result", "tool_use_id": JSONValue(message.toolCallID ?? message.name ?? ""),
                        "content": .string(message.text ?? ""),
                    ]
                ]
            case .assistant:
                role = "assistant"
                blocks = contentBlocks(of: message)
                for call in message.toolCalls ?? [] {
                    guard let call = call.objectValue, let function = call["function"]?.objectValue else { continue }
                    let arguments = function["arguments"]?.stringValue.flatMap { try? JSONParser.parse($0) } ?? .object(JSONObject())
                    blocks.append(
                        ["type": "tool_use", "id": call["id"] ?? "", "name": function["name"] ?? "", "input": arguments]
                    )
                }
            }
            if let last = turns.last, last.role == role {
                turns[turns.count - 1].blocks += blocks
            } else {
                turns.append((role, blocks))
            }
        }
        return turns.map { turn in ["role": .string(turn.role), "content": .array(turn.blocks)] }
    }

    private static func contentBlocks(of message: ChatMessage) -> [JSONValue] {
        guard let parts = message.parts else {
            guard let text = message.text, !text.isEmpty else { return [] }
            return [["type": "text", "text": .string(text)]]
        }
        return parts.compactMap { part in
            guard let part = part.objectValue else { return nil }
            switch part["type"]?.stringValue {
            case "text":
                return ["type": "text", "text": part["text"] ?? ""]
            case "image_url":
                guard let url = part["image_url"]?.objectValue?["url"]?.stringValue else { return nil }
                return ["type": "image", "source": imageSource(url)]
            default:
                return nil
            }
        }
    }

    /// A data URL becomes inline base64; anything else is passed as a URL source.
    private static func imageSource(_ url: String) -> JSONValue {
        if url.hasPrefix("data:"), let comma = url.firstIndex(of: ",") {
            let header = url[url.index(url.startIndex, offsetBy: 5)..<comma]
            let mediaType = header.split(separator: ";").first.map(String.init) ?? "image/png"
            return ["type": "base64", "media_type": .string(mediaType), "data": .string(String(url[url.index(after: comma)...]))]
        }
        return ["type": "url", "url": .string(url)]
    }

    private static func tool(_ tool: JSONValue) -> JSONValue? {
        guard let function = tool.objectValue?["function"]?.objectValue else { return nil }
        var translated = JSONObject()
        translated["name"] = function["name"]
        translated["description"] = function["description"]
        translated["input_schema"] = function["parameters"] ?? ["type": "object", "properties": [:]]
        return .object(translated)
    }

    private static func toolChoice(_ choice: JSONValue) -> JSONValue? {
        switch choice {
        case .string("auto"): ["type": "auto"]
        case .string("required"): ["type": "any"]
        case .string("none"): ["type": "none"]
        case .object(let object):
            object["function"]?.objectValue?["name"].map { ["type": "tool", "name": $0] }
        default: nil
        }
    }

    // MARK: Response

    static func finishReason(_ stopReason: String?) -> String {
        switch stopReason {
        case "max_tokens": "length"
        case "tool_use": "tool_calls"
        case "refusal": "content_filter"
        default: "stop"
        }
    }

    /// Anthropic's usage in OpenAI's terms: cache reads and writes are input tokens too.
    static func usage(_ value: JSONValue?) throws(UpstreamError) -> TokenUsage? {
        guard let usage = value?.objectValue else { return nil }
        let input = try TokenUsage.count(usage["input_tokens"], "input_tokens") ?? 0
        let cacheRead = try TokenUsage.count(usage["cache_read_input_tokens"], "cache_read_input_tokens") ?? 0
        let cacheWrite = try TokenUsage.count(usage["cache_creation_input_tokens"], "cache_creation_input_tokens") ?? 0
        let output = try TokenUsage.count(usage["output_tokens"], "output_tokens") ?? 0
        let total = input.saturatingAdd(cacheRead).saturatingAdd(cacheWrite)
        guard total <= TokenUsage.maximumCount else { throw UpstreamError(.badResponse, "the upstream reported \(total) input tokens") }
        return TokenUsage(inputTokens: total, outputTokens: output, cachedInputTokens: cacheRead)
    }

    /// A `chat.completion` for a Messages API response.
    static func completion(from value: JSONValue, created: Int) throws(UpstreamError) -> ChatCompletion {
        guard let response = value.objectValue, let blocks = response["content"]?.arrayValue else {
            throw UpstreamError(.badResponse, "the Messages response has no 'content'")
        }
        var text = ""
        var toolCalls: [JSONValue] = []
        for block in blocks.compactMap(\.objectValue) {
            switch block["type"]?.stringValue {
            case "text": text += block["text"]?.stringValue ?? ""
            case "tool_use":
                toolCalls.append([
                    "id": block["id"] ?? "", "type": "function",
                    "function": ["name": block["name"] ?? "", "arguments": .string((block["input"] ?? [:]).jsonString)],
                ])
            default: continue
            }
        }
        var message = JSONObject([("role", "assistant"), ("content", toolCalls.isEmpty || !text.isEmpty ? .string(text) : .null), ("refusal", .null)])
        if !toolCalls.isEmpty { message["tool_calls"] = .array(toolCalls) }
        let choice: JSONValue = [
            "index": 0, "message": .object(message), "logprobs": nil,
            "finish_reason": .string(finishReason(response["stop_reason"]?.stringValue)),
        ]
        let object = JSONObject([
            ("id", response["id"] ?? .string(RandomID.make(prefix: "chatcmpl-"))), ("object", "chat.completion"),
            ("created", JSONValue(created)), ("model", response["model"] ?? "unknown"), ("choices", [choice]),
            ("usage", try usage(response["usage"])?.openAI ?? .null),
        ])
        return try ChatCompletion(normalizing: .object(object), fallbackID: "", created: created)
    }
}
