import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KeelApp
import KeelCore
import KeelProviders
import NIOCore
import Synchronization
import Testing

/// Streaming over real sockets, and each HTTP provider against a real server on loopback.
@Suite struct LiveProviderTests {
    static let upstreamSecret = "sk-upstream-provider-secret"

    func chunks(_ response: TestResponse) -> [JSONObject] {
        response.events.filter { $0 != "[DONE]" }.compactMap { try? JSONParser.parse($0).objectValue }
    }

    @Test func streamingFollowsOpenAIsChunkSchema() async throws {
        try await TestGateway().test(.live) { client in
            let withUsage = try await client.post(
                "/v1/chat/completions",
                #"{"model":"gpt-test","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}"#
            )
            #expect(withUsage.headers[.contentType] == "text/event-stream")
            #expect(withUsage.events.last == "[DONE]")
            let parsed = chunks(withUsage)
            for chunk in parsed {
                #expect(chunk["object"] == "chat.completion.chunk")
                for choice in chunk["choices"]?.arrayValue ?? [] { #expect(choice.objectValue?.keys.contains("finish_reason") == true) }
            }
            let last = try #require(parsed.last)
            #expect(last["choices"] == [])
            #expect(last["usage"]?.objectValue?["completion_tokens"] == 8)
            #expect(parsed.dropLast().allSatisfy { $0["usage"] == .null }, "only the last chunk carries usage")
            let text = parsed.compactMap { $0["choices"]?.arrayValue?.first?.objectValue?["delta"]?.objectValue?["content"]?.stringValue }.joined()
            #expect(text.split(separator: " ").count == 8)

            let withoutUsage = try await client.post(
                "/v1/chat/completions",
                #"{"model":"gpt-test","stream":true,"messages":[{"role":"user","content":"hi"}]}"#
            )
            #expect(chunks(withoutUsage).allSatisfy { $0["usage"] == nil && $0["choices"] != [] })
            #expect(withoutUsage.events.last == "[DONE]")
        }
    }

    /// The simulator served over HTTP by `keel simulate`'s own code.
    func withSimulatorServer(faults: String = "", _ body: @Sendable @escaping (Int) async throws -> Void) async throws {
        var profile = SimulationProfile.instant
        if faults == "stream_cut" { profile.streamCutRate = 1 }
        if faults == "rate_limit" {
            profile.rateLimitRate = 1
            profile.retryAfterSeconds = 9
        }
        let simulator = Gateway.buildSimulator(profile: profile, host: "127.0.0.1", port: 0)
        try await simulator.test(.live) { client in try await body(try #require(client.port)) }
    }

    func openAIGateway(port: Int) -> TestGateway {
        var gateway = TestGateway()
        gateway.providerYAML = """
              sim:
                type: openai
                base_url: http://127.0.0.1:\(port)/v1
                api_key_env: UPSTREAM_KEY
                timeout_seconds: 10
            """
        return gateway
    }

    @Test func theOpenAIProviderWorksAgainstARealServer() async throws {
        try await withSimulatorServer { port in
            try await openAIGateway(port: port).test(.live) { client in
                let reply = try await client.post("/v1/chat/completions", goodChat)
                #expect(reply.status == .ok)
                #expect(reply.json.objectValue?["model"] == "upstream-chat", "the upstream's model id is what answered")
                #expect(reply.json.objectValue?["usage"]?.objectValue?["completion_tokens"] == 16)

                let stream = try await client.post(
                    "/v1/chat/completions",
                    #"{"model":"gpt-test","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}"#
                )
                #expect(stream.events.last == "[DONE]")
                #expect(chunks(stream).last?["usage"]?.objectValue?["completion_tokens"] == 16)

                let embeddings = try await client.post("/v1/embeddings", #"{"model":"embed-test","input":"x"}"#)
                #expect(embeddings.json.objectValue?["data"]?.arrayValue?.count == 1)
            }
        }
    }

    @Test func aStreamCutUpstreamNeverLooksFinished() async throws {
        try await withSimulatorServer(faults: "stream_cut") { port in
            try await openAIGateway(port: port).test(.live) { client in
                let stream = try await client.post(
                    "/v1/chat/completions",
                    #"{"model":"gpt-test","stream":true,"messages":[{"role":"user","content":"hi"}]}"#
                )
                #expect(stream.status == .ok)
                #expect(!stream.events.contains("[DONE]"))
                let last = try JSONParser.parse(try #require(stream.events.last)).objectValue
                #expect(last?["error"]?.objectValue?["code"] == "stream_interrupted")
            }
        }
    }

    @Test func anUpstream429StaysA429WithItsRetryAfter() async throws {
        try await withSimulatorServer(faults: "rate_limit") { port in
            try await openAIGateway(port: port).test(.router) { client in
                let response = try await client.post("/v1/chat/completions", goodChat)
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter] == "9")
                #expect(response.json.objectValue?["error"]?.objectValue?["code"] == "upstream_rate_limited")
            }
        }
    }

    @Test func theAnthropicProviderTranslatesOverHTTPAndSendsOnlyItsOwnKey() async throws {
        let seen = Mutex<[HTTPFields]>([])
        let router = Router()
        router.post("/v1/messages") { request, _ -> Response in
            seen.withLock { $0.append(request.headers) }
            let body = try JSONParser.parse(try await request.body.collect(upTo: 1 << 20).readableBytesView)
            let streaming = body.objectValue?["stream"] == true
            let fixture = try ProviderTranslationTests.fixture(streaming ? "anthropic-stream.txt" : "anthropic-response.json")
            return Response(
                status: .ok,
                headers: [.contentType: streaming ? "text/event-stream" : "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: fixture))
            )
        }
        try await Application(router: router).test(.live) { fake in
            let port = try #require(fake.port)
            var gateway = TestGateway()
            gateway.providerYAML = """
                  sim:
                    type: anthropic
                    base_url: http://127.0.0.1:\(port)/v1
                    api_key_env: UPSTREAM_KEY
                  local:
                    type: simulated
                """
            gateway.embeddingProvider = "local"
            try await gateway.test(.live) { client in
                let reply = try await client.post("/v1/chat/completions", goodChat).json.objectValue
                #expect(reply?["usage"]?.objectValue?["prompt_tokens"] == 1120)
                let stream = try await client.post(
                    "/v1/chat/completions",
                    #"{"model":"gpt-test","stream":true,"messages":[{"role":"user","content":"hi"}]}"#
                )
                #expect(stream.events.last == "[DONE]")
                #expect(
                    chunks(stream).compactMap { $0["choices"]?.arrayValue?.first?.objectValue?["delta"]?.objectValue?["content"]?.stringValue }
                        .joined() == "Okay, checking."
                )
                // The Responses and Messages APIs reach the same provider, tool calls and usage included.
                let response = try #require(try await client.post("/v1/responses", #"{"model":"gpt-test","input":"hi"}"#).json.objectValue)
                let output = response["output"]?.arrayValue?.compactMap(\.objectValue) ?? []
                #expect(output.map { $0["type"] } == ["message", "function_call"])
                #expect(output.last?["call_id"] == "toolu_02" && output.last?["arguments"] == #"{"city":"Paris","day":"tomorrow"}"#)
                #expect(response["usage"]?.objectValue?["input_tokens"] == 1120 && response["usage"]?.objectValue?["output_tokens"] == 42)
                let streamed = try await client.post("/v1/responses", #"{"model":"gpt-test","input":"hi","stream":true}"#)
                let done = try #require(streamed.events.last.flatMap { try JSONParser.parse(Array($0.utf8)).objectValue?["response"]?.objectValue })
                #expect(streamed.eventNames.last == "response.completed")
                #expect(done["output"]?.arrayValue?.last?.objectValue?["arguments"] == #"{"city": "Paris"}"#)
                let messages = #"{"model":"gpt-test","max_tokens":50,"messages":[{"role":"user","content":"hi"}]"#
                let message = try #require(try await client.post("/v1/messages", messages + "}").json.objectValue)
                #expect(
                    message["content"]?.arrayValue?.last == [
                        "type": "tool_use", "id": "toolu_02", "name": "get_weather", "input": ["city": "Paris", "day": "tomorrow"],
                    ]
                )
                #expect(message["stop_reason"] == "tool_use")
                #expect(message["usage"]?.objectValue?["input_tokens"] == 120 && message["usage"]?.objectValue?["cache_read_input_tokens"] == 1000)
                let messageStream = try await client.post("/v1/messages", messages + #","stream":true}"#)
                #expect(messageStream.eventNames.suffix(2) == ["message_delta", "message_stop"])
                #expect(messageStream.events.contains { $0.contains(#""partial_json":"is\"}""#) })
            }
        }
        let headers = seen.withLock { $0 }
        #expect(headers.count == 6)
        for fields in headers {
            #expect(fields[HTTPField.Name("x-api-key")!] == Self.upstreamSecret)
            #expect(fields[HTTPField.Name("anthropic-version")!] == "2023-06-01")
            #expect(fields[.authorization] == nil, "the client's Keel key is never forwarded")
        }
    }
}
