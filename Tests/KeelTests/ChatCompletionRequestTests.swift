import KeelCore
import Testing

@Suite struct ChatCompletionRequestTests {
    private func parse(_ text: String) throws -> ChatCompletionRequest {
        try ChatCompletionRequest(json: JSONParser.parse(text))
    }

    @Test func readsTheFieldsKeelInterprets() throws {
        let request = try parse(
            #"{"model":"m","messages":[{"role":"system","content":"be brief"},{"role":"user","content":[{"type":"text","text":"hi"}]}],"stream":true,"stream_options":{"include_usage":true},"max_tokens":5,"temperature":0.5,"stop":"END"}"#
        )
        #expect(request.model == "m")
        #expect(request.messages.map(\.role) == [.system, .user])
        #expect(request.messages[1].text == "hi")
        #expect(request.stream && request.includeUsage)
        #expect(request.maxOutputTokens == 5)
        #expect(request.stop == ["END"])
    }

    @Test func forwardsUninterpretedFieldsUnchangedAndAsksForUsage() throws {
        let body =
            #"{"model":"public","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"auto","response_format":{"type":"json_object"},"seed":7,"logit_bias":{"50256":-100},"user":"u1","metadata":{"k":"v"},"stream":true}"#
        let upstream = try parse(body).forUpstream(model: "upstream-id").json
        let original = try JSONParser.parse(body).objectValue!
        for key in ["tools", "tool_choice", "response_format", "seed", "logit_bias", "user", "metadata", "messages"] {
            #expect(upstream[key] == original[key], "\(key) must pass through")
        }
        #expect(upstream["model"] == "upstream-id")
        #expect(upstream["stream_options"]?.objectValue?["include_usage"] == true)
    }

    @Test(
        arguments: [
            (#"[1,2]"#, "invalid_request", nil),
            (#"{"messages":[{"role":"user","content":"hi"}]}"#, "missing_required_parameter", "model"),
            (#"{"model":3,"messages":[]}"#, "invalid_type", "model"),
            (#"{"model":"m","messages":[]}"#, "invalid_value", "messages"),
            (#"{"model":"m","messages":"hi"}"#, "invalid_type", "messages"),
            (#"{"model":"m","messages":[{"role":"wizard","content":"x"}]}"#, "invalid_value", "messages.0.role"),
            (#"{"model":"m","messages":[{"role":"user"}]}"#, "missing_required_parameter", "messages.0.content"),
            (#"{"model":"m","messages":[{"role":"user","content":5}]}"#, "invalid_type", "messages.0.content"),
            (#"{"model":"m","messages":[{"role":"user","content":"x"}],"temperature":3}"#, "invalid_value", "temperature"),
            (#"{"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":0}"#, "invalid_value", "max_tokens"),
            (#"{"model":"m","messages":[{"role":"user","content":"x"}],"stream":"yes"}"#, "invalid_type", "stream"),
            (#"{"model":"m","messages":[{"role":"user","content":"x"}],"n":1.5}"#, "invalid_type", "n"),
            (#"{"model":"m","messages":[{"role":"user","content":"x"}],"n":1000000}"#, "invalid_value", "n"),
            (#"{"model":"m","messages":[{"role":"user","content":"x"}],"stop":[1]}"#, "invalid_type", "stop"),
        ] as [(String, String, String?)]
    )
    func invalidBodiesNameTheParameter(body: String, code: String, param: String?) {
        #expect {
            try parse(body)
        } throws: { error in
            guard let error = error as? KeelError else { return false }
            return error.code.name == code && error.param == param && error.status == 400
        }
    }

    @Test func assistantMessagesMayOmitContent() throws {
        let request = try parse(
            #"{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c","content":"42"}]}"#
        )
        #expect(request.messages[0].toolCalls?.count == 1)
        #expect(request.messages[1].toolCallID == "c")
    }

    @Test func normalizedResponsesCarryWhatTheSchemaRequires() throws {
        let sparse = try JSONParser.parse(#"{"choices":[{"message":{"content":"hi"}}],"usage":{"prompt_tokens":3,"completion_tokens":2}}"#)
        let completion = try ChatCompletion(normalizing: sparse, fallbackID: "chatcmpl-x", created: 5)
        let choice = completion.json["choices"]?.arrayValue?.first?.objectValue
        #expect(completion.json["object"] == "chat.completion")
        #expect(completion.id == "chatcmpl-x")
        #expect(choice?["message"]?.objectValue?["refusal"] == .null)
        #expect(choice?["message"]?.objectValue?["role"] == "assistant")
        #expect(choice?["logprobs"] == .null)
        #expect(choice?["finish_reason"] == "stop")
        #expect(completion.usage == TokenUsage(inputTokens: 3, outputTokens: 2))

        let chunk = try ChatCompletionChunk(normalizing: JSONParser.parse(#"{"id":"c","choices":[{"delta":{"content":"a"}}]}"#))
        #expect(chunk.json["choices"]?.arrayValue?.first?.objectValue?.keys.contains("finish_reason") == true)
        #expect(chunk.contentDelta == "a")
    }

    @Test func pricesAreExactAndCachedTokensAreCheaper() {
        let price = Price(inputPerMillion: 2.5, outputPerMillion: 10, cachedInputPerMillion: 1.25)
        let cost = price.cost(of: TokenUsage(inputTokens: 1000, outputTokens: 500, cachedInputTokens: 400))
        // 600 × 2.5e-6 + 400 × 1.25e-6 + 500 × 10e-6 = 0.0015 + 0.0005 + 0.005
        #expect(cost == Money(dollars: 0.007))
        #expect(cost.picodollars == 7_000_000_000)
    }
}
