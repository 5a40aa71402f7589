import Foundation
import KeelCore
import Testing

@testable import KeelProviders

@Suite struct ProviderTranslationTests {
    static func fixture(_ name: String) throws -> String {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil))
        return try String(contentsOf: url, encoding: .utf8)
    }

    @Test func anthropicRequestMatchesTheRecordedBody() throws {
        let request = try ChatCompletionRequest(json: JSONParser.parse(Self.fixture("anthropic-request.openai.json")))
        let translated = AnthropicTranslation.messagesRequest(from: request)
        let expected = try JSONParser.parse(Self.fixture("anthropic-request.expected.json"))
        #expect(translated == expected, "\(translated.jsonString)")
    }

    @Test func anthropicResponseBecomesAChatCompletion() throws {
        let completion = try AnthropicTranslation.completion(from: JSONParser.parse(Self.fixture("anthropic-response.json")), created: 9)
        let message = try #require(completion.json["choices"]?.arrayValue?.first?.objectValue?["message"]?.objectValue)
        #expect(message["content"] == "Let me check.")
        #expect(message["refusal"] == .null)
        let call = try #require(message["tool_calls"]?.arrayValue?.first?.objectValue)
        #expect(call["id"] == "toolu_02")
        let arguments = try JSONParser.parse(try #require(call["function"]?.objectValue?["arguments"]?.stringValue))
        #expect(arguments == ["city": "Paris", "day": "tomorrow"])
        #expect(completion.finishReasons == ["tool_calls"])
        #expect(completion.usage == TokenUsage(inputTokens: 1120, outputTokens: 42, cachedInputTokens: 1000))
        #expect(completion.json["object"] == "chat.completion")
    }

    @Test func anthropicStreamBecomesChunksWhateverTheByteBoundaries() throws {
        let bytes = Array(try Self.fixture("anthropic-stream.txt").utf8)
        for slice in [1, 7, 64, bytes.count] {
            var parser = ServerSentEventParser()
            var translator = AnthropicStreamTranslator(created: 1)
            var chunks: [ChatCompletionChunk] = []
            for start in stride(from: 0, to: bytes.count, by: slice) {
                let events = parser.feed(bytes[start..<min(start + slice, bytes.count)])
                for event in try #require(events) { chunks += try translator.translate(event) }
            }
            #expect(translator.finished)
            #expect(chunks.compactMap(\.contentDelta).joined() == "Okay, checking.")
            let arguments = chunks.compactMap {
                $0.json["choices"]?.arrayValue?.first?.objectValue?["delta"]?.objectValue?["tool_calls"]?.arrayValue?.first?.objectValue?["function"]?
                    .objectValue?["arguments"]?.stringValue
            }
            #expect(arguments.joined() == #"{"city": "Paris"}"#)
            #expect(chunks.compactMap(\.finishReason) == ["tool_calls"])
            let usage = try #require(chunks.last?.usage)
            #expect(usage == TokenUsage(inputTokens: 472, outputTokens: 89))
            #expect(chunks.last?.isUsageOnly == true)
        }
    }

    @Test func anthropicErrorEventsFailTheStream() throws {
        var translator = AnthropicStreamTranslator(created: 1)
        let event = ServerSentEvent(event: "error", data: #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#)
        #expect { try translator.translate(event) } throws: { ($0 as? UpstreamError)?.kind == .unavailable }
    }

    @Test func serverSentEventsFollowTheSpec() {
        var parser = ServerSentEventParser(maximumLineBytes: 64)
        let events = parser.feed(Array(": comment\r\ndata: a\ndata:b\n\nevent: x\ndata: {}\n\ndata: tail".utf8))
        #expect(events == [ServerSentEvent(event: nil, data: "a\nb"), ServerSentEvent(event: "x", data: "{}")])
        #expect(parser.finish() == ServerSentEvent(event: nil, data: "tail"))
        #expect(parser.feed(Array(repeating: UInt8(ascii: "x"), count: 65)) == nil, "a line past the bound")
        var dataLines = ServerSentEventParser(maximumLineBytes: 64)
        #expect(dataLines.feed(Array(String(repeating: "data: 0123456789\n", count: 7).utf8)) == nil, "an event's data lines past the bound")
    }

    @Test func upstreamFailuresMapToGatewayStatuses() {
        #expect(UpstreamError(.rateLimited, "", status: 429, retryAfter: 3).clientError.status == 429)
        #expect(UpstreamError(.rateLimited, "", status: 429, retryAfter: 3).clientError.retryAfter == 3)
        #expect(UpstreamError(.serverError, "secret upstream detail", status: 500).clientError.status == 502)
        #expect(!UpstreamError(.serverError, "secret upstream detail").clientError.message.contains("secret"))
        #expect(UpstreamError(.unavailable, "", status: 503).clientError.status == 503)
        #expect(UpstreamError(.timeout, "").clientError.status == 504)
        #expect(UpstreamError(.rejected, "bad tool schema", status: 400).clientError.status == 400)
        #expect(UpstreamError(.misconfigured, "", status: 401).clientError.status == 502)
    }

    @Test func theSimulatorRepeatsItselfForTheSameSeed() async throws {
        let request = try ChatCompletionRequest(json: JSONParser.parse(#"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#))
        let profile = SimulationProfile(seed: 3, latencyP50: .zero, latencyP99: .zero, tokensPerSecond: nil, outputTokens: 5...30)
        var first: [String?] = []
        var second: [String?] = []
        for (upstream, answers) in [(SimulatedUpstream(profile: profile), 0), (SimulatedUpstream(profile: profile), 1)] {
            for _ in 0..<5 {
                let text = try await upstream.complete(request).content
                if answers == 0 { first.append(text) } else { second.append(text) }
            }
        }
        #expect(first == second)
        #expect(Set(first).count > 1, "different requests draw different answers")
    }

    @Test func theSimulatorFailsAtItsConfiguredRates() async throws {
        let request = try ChatCompletionRequest(json: JSONParser.parse(#"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#))
        let profile = SimulationProfile(
            seed: 11,
            latencyP50: .zero,
            latencyP99: .zero,
            tokensPerSecond: nil,
            rateLimitRate: 0.2,
            serverErrorRate: 0.1,
            unavailableRate: 0.1
        )
        let upstream = SimulatedUpstream(profile: profile)
        var kinds: [UpstreamError.Kind: Int] = [:]
        var successes = 0
        for _ in 0..<2000 {
            do {
                _ = try await upstream.complete(request)
                successes += 1
            } catch let error as UpstreamError {
                kinds[error.kind, default: 0] += 1
            }
        }
        #expect((340...460).contains(kinds[.rateLimited] ?? 0))
        #expect((150...250).contains(kinds[.serverError] ?? 0))
        #expect((150...250).contains(kinds[.unavailable] ?? 0))
        #expect((1100...1300).contains(successes))
    }

    @Test func theSimulatorLatencyFollowsItsPercentiles() async throws {
        let profile = SimulationProfile(seed: 5, latencyP50: .milliseconds(100), latencyP99: .milliseconds(400))
        var random = SeededRandom(seed: 5)
        var latencies = (0..<20_000).map { _ in
            SimulatedPlan(profile: profile, request: nil, random: &random, created: 0).latency.milliseconds
        }
        latencies.sort()
        let p50 = latencies[latencies.count / 2]
        let p99 = latencies[latencies.count * 99 / 100]
        #expect(abs(p50 - 100) < 6, "p50 \(p50)")
        #expect(abs(p99 - 400) < 40, "p99 \(p99)")
    }
}
