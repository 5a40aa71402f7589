import Foundation
import HTTPTypes
import HummingbirdTesting
import KeelCore
import NIOCore
import Testing

/// Whatever a client sends, Keel answers in OpenAI's error shape and keeps serving: numbers past
/// every range, sizes past every bound, fuzzed bodies on every route.
@Suite struct HostileRequestTests {
    /// A gateway that takes bodies up to 4 MiB, with a context window, a budget and rate limits, so
    /// that every sum, reservation and bucket is computed from what the client sent.
    static var gateway: TestGateway {
        var gateway = TestGateway()
        gateway.maximumBodySize = 4 << 20
        gateway.chatModelYAML = "context_window: 128000"
        gateway.extraYAML = """
            budgets:
              - { route: gpt-test, window: day, limit_usd: 1000 }
            rate_limits:
              default: { requests_per_minute: 1000000, tokens_per_minute: 1000000000 }
            """
        return gateway
    }

    /// Bodies that killed the process once (integer overflow traps, allocations sized by a field),
    /// each now a 400 naming its field.
    @Test(arguments: [
        (#"{"model":"gpt-test","messages":[{"role":"user","content":"hi"}],"max_completion_tokens":9223372036854775807}"#, "max_completion_tokens"),
        (#"{"model":"gpt-test","messages":[{"role":"user","content":"hi"}],"max_tokens":4611686018427387904,"stream":true}"#, "max_tokens"),
        (#"{"model":"gpt-test","messages":[{"role":"user","content":"hi"}],"max_tokens":9223372036854775807,"stop":["x"]}"#, "max_tokens"),
        (
            #"{"model":"gpt-test","messages":[{"role":"user","content":"hi"}],"max_tokens":1000000000000,"max_completion_tokens":4611686018427387904}"#,
            "max_completion_tokens"
        ),
        (#"{"model":"gpt-test","messages":[{"role":"user","content":"hi"}],"max_tokens":1e30}"#, "max_tokens"),
        (#"{"model":"gpt-test","messages":[{"role":"user","content":"hi"}],"stop":["a","b","c","d","e"]}"#, "stop"),
        (#"{"model":"embed-test","input":"hi","dimensions":1000000000000}"#, "dimensions"),
        (#"{"model":"embed-test","input":"hi","dimensions":1000000000}"#, "dimensions"),
        (#"{"model":"embed-test","input":"hi","dimensions":9223372036854775807}"#, "dimensions"),
    ])
    func aNumberPastItsRangeIsAnInvalidValue(body: String, field: String) async throws {
        try await Self.gateway.test { client in
            let path = body.contains("embed-test") ? "/v1/embeddings" : "/v1/chat/completions"
            let response = try await client.post(path, body)
            #expect(response.status == .badRequest, "\(String(buffer: response.body))")
            let error = response.json.objectValue?["error"]?.objectValue
            #expect(error?["code"] == "invalid_value" && error?["param"] == .string(field), "\(String(buffer: response.body))")
            #expect(try await client.post("/v1/chat/completions", goodChat).status == .ok)
        }
    }

    @Test func requestsOverTheirCountLimitsAreRefusedNamingTheSetting() async throws {
        var gateway = Self.gateway
        gateway.extraYAML += "\nlimits: { max_messages: 3, max_tools: 1, max_embedding_inputs: 2 }"
        try await gateway.test { client in
            let message = #"{"role":"user","content":"hi"}"#
            let tool = #"{"type":"function","function":{"name":"f"}}"#
            let cases = [
                (
                    "/v1/chat/completions", #"{"model":"gpt-test","messages":[\#(Array(repeating: message, count: 4).joined(separator: ","))]}"#,
                    "messages"
                ),
                ("/v1/chat/completions", #"{"model":"gpt-test","messages":[\#(message)],"tools":[\#(tool),\#(tool)]}"#, "tools"),
                ("/v1/embeddings", #"{"model":"embed-test","input":["a","b","c"]}"#, "input"),
            ]
            for (path, body, field) in cases {
                let response = try await client.post(path, body)
                let error = response.json.objectValue?["error"]?.objectValue
                #expect(response.status == .badRequest && error?["param"] == .string(field), "\(String(buffer: response.body))")
                #expect(error?["message"]?.stringValue?.contains("limits.max_") == true)
            }
            let tooLarge = try await client.post("/v1/chat/completions", String(repeating: " ", count: 5 << 20) + goodChat)
            #expect(tooLarge.status == .contentTooLarge)
            let metrics = try await client.metrics()
            #expect(metrics.contains(#"keel_limit_exceeded_total{limit="limits.max_messages"} 1"#), "\(metrics)")
            #expect(metrics.contains(#"keel_limit_exceeded_total{limit="server.max_body_bytes"} 1"#))
        }
    }

    @Test func theSimulatorRefusesAnEmbeddingsAnswerLargerThanItsBound() async throws {
        try await Self.gateway.test { client in
            let inputs = Array(repeating: #""x""#, count: 2048).joined(separator: ",")
            let response = try await client.post("/v1/embeddings", #"{"model":"embed-test","input":[\#(inputs)],"dimensions":8192}"#)
            #expect(response.status == .badRequest, "\(String(buffer: response.body).prefix(300))")
            let fits = try await client.post("/v1/embeddings", #"{"model":"embed-test","input":["a","b"],"dimensions":4096}"#)
            #expect(fits.status == .ok && fits.json.objectValue?["data"]?.arrayValue?.count == 2)
        }
    }

    /// Fuzzed bodies for every `/v1` route and fuzzed queries for every `/api` route: no answer is a
    /// 5xx of Keel's own, every `/v1` error is OpenAI's shape, and the server serves on.
    @Test func fuzzedBodiesNeverBreakTheErrorContract() async throws {
        try await Self.gateway.test { client in
            var fuzzer = BodyFuzzer(seed: 2026)
            var statuses: [Int: Int] = [:]
            for round in 0..<500 {
                for target in BodyFuzzer.Target.allCases {
                    let path = target == .chat ? "/v1/chat/completions" : "/v1/embeddings"
                    let body = fuzzer.body(for: target)
                    let response = try await client.execute(
                        uri: path,
                        method: .post,
                        headers: [.contentType: "application/json", .authorization: "Bearer \(TestGateway.appKey)"],
                        body: ByteBuffer(bytes: body)
                    )
                    statuses[response.status.code, default: 0] += 1
                    try Self.expectContract(response, path: path, body: body)
                }
                if round % 10 == 0 {
                    for path in ["/api/requests", "/api/cost", "/api/cost/inflation", "/api/workflows", "/api/workflow-report", "/api/breakers"] {
                        let response = try await client.get("\(path)?\(fuzzer.query())", key: TestGateway.adminKey)
                        try Self.expectContract(response, path: path, body: [])
                    }
                }
            }
            #expect(statuses[200, default: 0] > 70 && statuses[400, default: 0] > 350, "\(statuses)")
            #expect(try await client.post("/v1/chat/completions", goodChat).status == .ok)
        }
    }

    static func expectContract(_ response: TestResponse, path: String, body: [UInt8]) throws {
        let code = response.status.code
        let shown = String(decoding: body.prefix(300), as: UTF8.self)
        if code >= 500 {
            let error = response.json.objectValue?["error"]?.objectValue
            #expect(error?["type"] == "upstream_error", "\(path) answered \(code) to \(shown): \(String(buffer: response.body).prefix(300))")
        }
        if code >= 400 {
            let error = try #require(response.json.objectValue?["error"]?.objectValue, "\(path) \(code) to \(shown)")
            #expect(error["message"]?.stringValue?.isEmpty == false && error["code"]?.stringValue != nil)
        }
    }
}
