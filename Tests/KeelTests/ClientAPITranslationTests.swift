import KeelCore
import Testing

/// The Responses and Messages APIs read into chat requests, and chat streams translated into their
/// events: what each field becomes, what is refused and how, and the events' order.
@Suite struct ClientAPITranslationTests {
    static func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    static let conversation: [JSONValue] = [
        ["role": "system", "content": "Answer briefly."],
        ["role": "user", "content": "Weather in Paris?"],
        [
            "role": "assistant", "content": nil,
            "tool_calls": [["id": "call_1", "type": "function", "function": ["name": "get_weather", "arguments": #"{"city":"Paris"}"#]]],
        ],
        ["role": "tool", "tool_call_id": "call_1", "content": "Sunny, 21 C"],
    ]

    @Test func responsesInputItemsBecomeTheChatConversation() throws {
        let request = try ResponsesRequest(
            json: Self.parse(
                """
                {"model": "m", "instructions": "Answer briefly.", "max_output_tokens": 50, "store": false,
                 "input": [{"role": "user", "content": [{"type": "input_text", "text": "Weather in Paris?"}]},
                           {"type": "reasoning", "id": "rs_1", "summary": []},
                           {"type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": "{\\"city\\":\\"Paris\\"}"},
                           {"type": "function_call_output", "call_id": "call_1", "output": "Sunny, 21 C"}],
                 "tools": [{"type": "function", "name": "get_weather", "parameters": {"type": "object"}, "strict": true}],
                 "tool_choice": {"type": "function", "name": "get_weather"},
                 "text": {"format": {"type": "json_schema", "name": "w", "schema": {"type": "object"}}}}
                """
            )
        )
        var expected = Self.conversation
        expected[1] = ["role": "user", "content": [["type": "text", "text": "Weather in Paris?"]]]
        #expect(request.chat.json["messages"] == .array(expected))
        #expect(request.instructionCount == 1 && !request.store)
        #expect(request.chat.json["max_completion_tokens"] == 50)
        #expect(
            request.chat.tools == [["type": "function", "function": ["name": "get_weather", "parameters": ["type": "object"], "strict": true]]]
        )
        #expect(request.chat.toolChoice == ["type": "function", "function": ["name": "get_weather"]])
        #expect(request.chat.json["response_format"] == ["type": "json_schema", "json_schema": ["name": "w", "schema": ["type": "object"]]])
    }

    @Test(arguments: [
        (#"{"model":"m","input":"x","tools":[{"type":"web_search"}]}"#, "tools.0.type", "unsupported_operation"),
        (#"{"model":"m","input":[{"type":"item_reference","id":"msg_1"}]}"#, "input.0.type", "unsupported_operation"),
        (#"{"model":"m","input":"x","background":true}"#, "background", "unsupported_operation"),
        (#"{"model":"m","input":"x","conversation":"conv_1"}"#, "conversation", "unsupported_operation"),
        (#"{"model":"m","input":"x","tool_choice":{"type":"allowed_tools"}}"#, "tool_choice", "unsupported_operation"),
        (#"{"model":"m","input":"x","text":{"format":{"type":"xml"}}}"#, "text.format.type", "invalid_value"),
        (#"{"model":"m"}"#, "input", "missing_required_parameter"),
        (#"{"model":"m","input":[]}"#, "input", "invalid_value"),
        (#"{"model":"m","input":[{"role":"wizard","content":"x"}]}"#, "input.0.role", "invalid_value"),
        (#"{"model":"m","input":[{"type":"function_call","name":"f","arguments":"{}"}]}"#, "input.0.call_id", "missing_required_parameter"),
        (#"{"model":"m","input":"x","max_output_tokens":0}"#, "max_output_tokens", "invalid_value"),
    ])
    func responsesBodiesKeelCannotServeAreRefusedByParameter(_ body: String, _ param: String, _ code: String) throws {
        let error = #expect(throws: KeelError.self) { try ResponsesRequest(json: Self.parse(body)) }
        #expect(error?.param == param && error?.code.name == code, "\(String(describing: error))")
    }

    @Test func messagesBlocksBecomeTheChatConversation() throws {
        let request = try MessagesRequest(
            json: Self.parse(
                """
                {"model": "m", "max_tokens": 50, "system": "Answer briefly.", "stop_sequences": ["END"], "metadata": {"user_id": "u1"},
                 "messages": [{"role": "user", "content": "Weather in Paris?"},
                              {"role": "assistant", "content": [{"type": "thinking", "thinking": "…"},
                                                                {"type": "tool_use", "id": "call_1", "name": "get_weather", "input": {"city": "Paris"}}]},
                              {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "call_1", "content": [{"type": "text", "text": "Sunny, 21 C"}]},
                                                           {"type": "text", "text": "And tomorrow?"}]}],
                 "tools": [{"name": "get_weather", "description": "Weather.", "input_schema": {"type": "object"}}],
                 "tool_choice": {"type": "any", "disable_parallel_tool_use": true}}
                """
            )
        )
        let expected = Self.conversation + [["role": "user", "content": [["type": "text", "text": "And tomorrow?"]]]]
        #expect(request.chat.json["messages"] == .array(expected))
        #expect(request.chat.json["max_completion_tokens"] == 50 && request.chat.stop == ["END"] && request.chat.json["user"] == "u1")
        #expect(
            request.chat.tools == [
                ["type": "function", "function": ["name": "get_weather", "description": "Weather.", "parameters": ["type": "object"]]]
            ]
        )
        #expect(request.chat.toolChoice == "required" && request.chat.json["parallel_tool_calls"] == false)
    }

    @Test(arguments: [
        (#"{"model":"m","messages":[{"role":"user","content":"x"}]}"#, "max_tokens", "missing_required_parameter"),
        (#"{"model":"m","max_tokens":5,"messages":[]}"#, "messages", "invalid_value"),
        (#"{"model":"m","max_tokens":5,"messages":[{"role":"system","content":"x"}]}"#, "messages.0.role", "invalid_value"),
        (
            #"{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"tools":[{"type":"web_search_20250305","name":"web_search"}]}"#,
            "tools.0.type", "unsupported_operation"
        ),
        (
            #"{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"document","source":{}}]}]}"#,
            "messages.0.content.0.type", "unsupported_operation"
        ),
        (#"{"model":"m","max_tokens":5,"temperature":1.5,"messages":[{"role":"user","content":"x"}]}"#, "temperature", "invalid_value"),
    ])
    func messagesBodiesKeelCannotServeAreRefusedByParameter(_ body: String, _ param: String, _ code: String) throws {
        let error = #expect(throws: KeelError.self) { try MessagesRequest(json: Self.parse(body)) }
        #expect(error?.param == param && error?.code.name == code, "\(String(describing: error))")
    }

    @Test func countingTokensNeedsNoMaximum() throws {
        let request = try MessagesRequest(json: Self.parse(#"{"model":"m","messages":[{"role":"user","content":"x"}]}"#), counting: true)
        #expect(request.chat.maxOutputTokens == nil)
    }

    /// Text in two pieces, then two tool calls (each named, then its arguments in pieces), the finish and usage.
    static let chunks: [ChatCompletionChunk] = {
        func chunk(_ delta: JSONObject, finish: String? = nil) -> ChatCompletionChunk {
            ChatCompletionChunk(id: "c", created: 1, model: "up", delta: delta, finishReason: finish)
        }
        func call(_ index: Int, id: String? = nil, name: String? = nil, arguments: String) -> ChatCompletionChunk {
            var call = JSONObject([("index", JSONValue(index))])
            call["id"] = id.map(JSONValue.string)
            var function = JSONObject([("arguments", .string(arguments))])
            function["name"] = name.map(JSONValue.string)
            call["function"] = .object(function)
            return chunk(JSONObject([("tool_calls", [.object(call)])]))
        }
        return [
            chunk(JSONObject([("role", "assistant"), ("content", "")])), chunk(JSONObject([("content", "Let me ")])),
            chunk(JSONObject([("content", "check.")])), call(0, id: "call_a", name: "get_weather", arguments: ""),
            call(0, arguments: #"{"city":"#), call(0, arguments: #""Paris"}"#), call(1, id: "call_b", name: "get_time", arguments: "{}"),
            chunk(JSONObject(), finish: "tool_calls"),
            ChatCompletionChunk(id: "c", created: 1, model: "up", usage: TokenUsage(inputTokens: 20, outputTokens: 9, cachedInputTokens: 4)),
        ]
    }()

    static func events(_ translator: some ChunkTranslator, failing: Bool = false) async throws -> [NamedEvent] {
        let chunks = failing ? Array(Self.chunks.prefix(5)) : Self.chunks
        let stream = ChatStream(
            AsyncThrowingStream<ChatCompletionChunk, any Error> { continuation in
                for chunk in chunks { continuation.yield(chunk) }
                continuation.finish(throwing: failing ? UpstreamError(.streamInterrupted, "cut") : nil)
            }
        )
        var events: [NamedEvent] = []
        for try await event in EventStream(translating: stream, with: translator) { events.append(event) }
        return events
    }

    static func responseObject() throws -> ResponseObject {
        ResponseObject(id: "resp_x", createdAt: 1, request: try ResponsesRequest(json: parse(#"{"model":"route","input":"x"}"#)), conversation: nil)
    }

    @Test func aResponsesStreamHasOpenAIsEventsInOrder() async throws {
        let object = try Self.responseObject()
        let events = try await Self.events(ResponsesStreamTranslator(object: object, model: "route"))
        #expect(
            events.map(\.name) == [
                "response.created", "response.in_progress",
                "response.output_item.added", "response.content_part.added", "response.output_text.delta", "response.output_text.delta",
                "response.output_text.done", "response.content_part.done", "response.output_item.done",
                "response.output_item.added", "response.function_call_arguments.delta", "response.function_call_arguments.delta",
                "response.function_call_arguments.done", "response.output_item.done",
                "response.output_item.added", "response.function_call_arguments.delta", "response.function_call_arguments.done",
                "response.output_item.done", "response.completed",
            ]
        )
        #expect(events.map { $0.data["sequence_number"] } == (0..<events.count).map { JSONValue($0) })
        #expect(events.allSatisfy { $0.data["type"] == .string($0.name) })
        let final = try #require(events.last?.data["response"]?.objectValue)
        let output = try #require(final["output"]?.arrayValue)
        #expect(output.map { $0.objectValue?["id"] } == ["msg_x", "fc_x_0", "fc_x_1"])
        #expect(output[0].objectValue?["content"] == [["type": "output_text", "text": "Let me check.", "annotations": [], "logprobs": []]])
        #expect(output[1].objectValue?["call_id"] == "call_a" && output[1].objectValue?["arguments"] == #"{"city":"Paris"}"#)
        #expect(final["usage"]?.objectValue?["input_tokens"] == 20 && final["usage"]?.objectValue?["output_tokens"] == 9)
        // What each item's events announced is what the final object holds.
        let done = events.filter { $0.name == "response.output_item.done" }.compactMap { $0.data["item"] }
        #expect(done == output)
    }

    @Test func aResponsesStreamThatFailsEndsFailedWithWhatItHad() async throws {
        let events = try await Self.events(ResponsesStreamTranslator(object: try Self.responseObject(), model: "route"), failing: true)
        #expect(!events.contains { $0.name == "response.completed" })
        let failed = try #require(events.last)
        #expect(failed.name == "response.failed")
        let response = try #require(failed.data["response"]?.objectValue)
        #expect(response["status"] == "failed" && response["error"]?.objectValue?["code"] == "server_error")
        #expect(response["output"]?.arrayValue?.map { $0.objectValue?["status"] } == ["completed", "incomplete"])
    }

    @Test func aMessagesStreamHasAnthropicsEventsInOrder() async throws {
        let message = AnthropicMessage(id: "msg_x", model: "route")
        let events = try await Self.events(MessagesStreamTranslator(message: message, inputTokens: 20))
        #expect(
            events.map(\.name) == [
                "message_start", "ping", "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
                "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
                "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop",
            ]
        )
        let starts = events.filter { $0.name == "content_block_start" }
        #expect(starts.map { $0.data["index"] } == [0, 1, 2])
        #expect(starts[1].data["content_block"] == ["type": "tool_use", "id": "call_a", "name": "get_weather", "input": [:]])
        let delta = try #require(events.first { $0.name == "message_delta" })
        #expect(delta.data["delta"]?.objectValue?["stop_reason"] == "tool_use")
        #expect(delta.data["usage"] == ["input_tokens": 16, "output_tokens": 9, "cache_read_input_tokens": 4])
    }

    @Test func aMessagesStreamThatFailsEndsWithAnErrorEvent() async throws {
        let events = try await Self.events(
            MessagesStreamTranslator(message: AnthropicMessage(id: "msg_x", model: "route"), inputTokens: 20),
            failing: true
        )
        #expect(!events.contains { $0.name == "message_stop" })
        let last = try #require(events.last)
        #expect(last.name == "error" && last.data["type"] == "error" && last.data["error"]?.objectValue?["type"] == "api_error")
    }

    @Test func aStreamedAnswersToolCallsAreRebuiltAndReplayed() async throws {
        var transcript = StreamTranscript()
        for chunk in Self.chunks { transcript.add(chunk) }
        let completion = try #require(transcript.completion)
        let calls = try #require(completion.message?["tool_calls"]?.arrayValue)
        #expect(calls.map { $0.objectValue?["function"]?.objectValue?["arguments"] } == [#"{"city":"Paris"}"#, "{}"])
        #expect(completion.content == "Let me check." && completion.finishReasons == ["tool_calls"])
        var again = StreamTranscript()
        for try await chunk in ChatStream(replaying: completion) { again.add(chunk) }
        #expect(again.completion == completion, "a replayed stream rebuilds the same completion")
    }
}
