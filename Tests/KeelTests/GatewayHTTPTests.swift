import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KeelCore
import NIOCore
import NIOHTTP1
import Testing

@Suite struct GatewayHTTPTests {
    /// An error response must be exactly OpenAI's shape.
    func expectOpenAIError(_ response: TestResponse, status: HTTPResponse.Status, code: String, param: String? = nil) {
        #expect(response.status == status, "\(String(buffer: response.body))")
        guard let top = response.json.objectValue, let error = top["error"]?.objectValue else {
            Issue.record("not an OpenAI error body: \(String(buffer: response.body))")
            return
        }
        #expect(top.keys == ["error"])
        #expect(error.keys.sorted() == ["code", "message", "param", "type"])
        #expect(error["code"] == .string(code))
        #expect(error["param"] == JSONValue(param))
        #expect(error["message"]?.stringValue?.isEmpty == false)
    }

    @Test func chatCompletionMatchesOpenAIsSchema() async throws {
        try await TestGateway().test { client in
            let response = try await client.post("/v1/chat/completions", goodChat)
            #expect(response.status == .ok)
            #expect(response.headers[HTTPField.Name("x-request-id")!]?.hasPrefix("req_") == true)
            let body = try #require(response.json.objectValue)
            #expect(body["object"] == "chat.completion")
            for key in ["id", "created", "model", "choices", "usage"] { #expect(body[key] != nil, "\(key)") }
            let choice = try #require(body["choices"]?.arrayValue?.first?.objectValue)
            #expect(choice["finish_reason"] == "stop")
            #expect(choice["logprobs"] == .null)
            let message = try #require(choice["message"]?.objectValue)
            #expect(message["role"] == "assistant" && message["refusal"] == .null)
            #expect(message["content"]?.stringValue?.split(separator: " ").count == 8)
            #expect(body["usage"]?.objectValue?["completion_tokens"] == 8)
        }
    }

    @Test func everyBadInputGetsItsErrorAndTheServerKeepsServing() async throws {
        let cases: [(body: String?, key: String?, status: HTTPResponse.Status, code: String, param: String?)] = [
            ("{not json", TestGateway.appKey, .badRequest, "invalid_json", nil),
            (#"["model"]"#, TestGateway.appKey, .badRequest, "invalid_request", nil),
            (#""just a string""#, TestGateway.appKey, .badRequest, "invalid_request", nil),
            (#"{"model":"gpt-test","messages":{"role":"user"}}"#, TestGateway.appKey, .badRequest, "invalid_type", "messages"),
            (
                #"{"model":"gpt-test","messages":[{"role":"user","content":"x"}],"top_p":"high"}"#, TestGateway.appKey, .badRequest, "invalid_type",
                "top_p"
            ),
            (goodChat, nil, .unauthorized, "missing_api_key", nil),
            (goodChat, "sk-keel-not-a-real-key-at-all", .unauthorized, "invalid_api_key", nil),
            (#"{"model":"gpt-nope","messages":[{"role":"user","content":"x"}]}"#, TestGateway.appKey, .notFound, "model_not_found", "model"),
            (
                #"{"model":"embed-test","messages":[{"role":"user","content":"x"}]}"#, TestGateway.appKey, .badRequest, "unsupported_operation",
                "model"
            ),
            (String(repeating: " ", count: 5000) + goodChat, TestGateway.appKey, .contentTooLarge, "payload_too_large", nil),
            ("\u{FF}\u{FE}", TestGateway.appKey, .badRequest, "invalid_json", nil),
        ]
        try await TestGateway().test { client in
            for bad in cases {
                let response = try await client.post("/v1/chat/completions", bad.body ?? "", key: bad.key)
                expectOpenAIError(response, status: bad.status, code: bad.code, param: bad.param)
                #expect(response.headers[HTTPField.Name("x-request-id")!] != nil)
                let good = try await client.post("/v1/chat/completions", goodChat)
                #expect(good.status == .ok, "a good request after \(bad.code) must succeed")
            }
            let unknownPath = try await client.post("/v1/nope", goodChat)
            expectOpenAIError(unknownPath, status: .notFound, code: "not_found")
            let wrongMethod = try await client.get("/v1/chat/completions")
            #expect(wrongMethod.status.code >= 400 && wrongMethod.status.code < 500)
            #expect(wrongMethod.json.objectValue?["error"] != nil)
            #expect(try await client.post("/v1/chat/completions", goodChat).status == .ok)
        }
    }

    @Test(arguments: [
        ("rate_limit: 1.0", HTTPResponse.Status.tooManyRequests, "upstream_rate_limited"),
        ("server_error: 1.0", .badGateway, "upstream_error"),
        ("unavailable: 1.0", .serviceUnavailable, "upstream_unavailable"),
        ("timeout: 1.0, hang_seconds: 0.01", .gatewayTimeout, "upstream_timeout"),
    ])
    func upstreamFailuresBecomeGatewayErrors(fault: String, status: HTTPResponse.Status, code: String) async throws {
        var gateway = TestGateway()
        gateway.providerYAML += "\n    faults: { \(fault), retry_after_seconds: 9 }"
        try await gateway.test { client in
            let response = try await client.post("/v1/chat/completions", goodChat)
            expectOpenAIError(response, status: status, code: code)
            if status == .tooManyRequests { #expect(response.headers[.retryAfter] == "9") }
        }
    }

    @Test(arguments: [
        ("Bearer \(TestGateway.appKey)", HTTPResponse.Status.ok), ("bearer \(TestGateway.appKey)", .ok), ("BEARER   \(TestGateway.appKey)  ", .ok),
        ("Basic \(TestGateway.appKey)", .unauthorized), ("Bearer", .unauthorized), ("Bearer ", .unauthorized), (TestGateway.appKey, .unauthorized),
    ])
    func theBearerSchemeIsReadAsHTTPDefinesIt(authorization: String, status: HTTPResponse.Status) async throws {
        try await TestGateway().test { client in
            let headers: HTTPFields = [.contentType: "application/json", .authorization: authorization]
            let response = try await client.execute(uri: "/v1/chat/completions", method: .post, headers: headers, body: ByteBuffer(string: goodChat))
            #expect(response.status == status)
        }
    }

    @Test func modelsListTheRoutes() async throws {
        try await TestGateway().test { client in
            let list = try await client.get("/v1/models")
            #expect(list.json.objectValue?["object"] == "list")
            let ids = list.json.objectValue?["data"]?.arrayValue?.compactMap { $0.objectValue?["id"]?.stringValue }
            #expect(ids == ["gpt-test", "embed-test"])
            let model = try await client.get("/v1/models/gpt-test").json.objectValue
            #expect(model?["object"] == "model" && model?["owned_by"] == "keel")
            expectOpenAIError(try await client.get("/v1/models/gpt-nope"), status: .notFound, code: "model_not_found", param: "model")
            expectOpenAIError(try await client.get("/v1/models", key: nil), status: .unauthorized, code: "missing_api_key")
        }
    }

    @Test func embeddingsAnswerInOpenAIsShape() async throws {
        try await TestGateway().test { client in
            let response = try await client.post("/v1/embeddings", #"{"model":"embed-test","input":["a","b"],"dimensions":4}"#)
            let body = try #require(response.json.objectValue)
            #expect(body["object"] == "list")
            let data = try #require(body["data"]?.arrayValue)
            #expect(data.count == 2)
            #expect(data[0].objectValue?["embedding"]?.arrayValue?.count == 4)
            expectOpenAIError(
                try await client.post("/v1/embeddings", #"{"model":"embed-test","input":[]}"#),
                status: .badRequest,
                code: "invalid_value",
                param: "input"
            )
        }
    }

    @Test func theRequestLogAndMetricsShowWhatHappened() async throws {
        try await TestGateway().test { client in
            let ok = try await client.post("/v1/chat/completions", goodChat)
            let requestID = try #require(ok.headers[HTTPField.Name("x-request-id")!])
            _ = try await client.post("/v1/chat/completions", #"{"model":"gpt-nope","messages":[{"role":"user","content":"x"}]}"#)
            expectOpenAIError(try await client.get("/api/requests"), status: .forbidden, code: "insufficient_permissions")

            var records: [JSONValue] = []
            for _ in 0..<100 where records.count < 2 {
                try await Task.sleep(for: .milliseconds(20))
                records = try await client.get("/api/requests", key: TestGateway.adminKey).json.objectValue?["data"]?.arrayValue ?? []
            }
            let record = try #require(records.first { $0.objectValue?["id"]?.stringValue == requestID }?.objectValue)
            #expect(record["route"] == "gpt-test" && record["provider"] == "sim" && record["status"] == 200)
            #expect(record["input_tokens"]?.integerValue ?? 0 > 0)
            #expect(record["cost_usd"]?.doubleValue ?? 0 > 0)
            #expect(record["attempts"]?.arrayValue?.count == 1)
            #expect(record["request_body"] == nil, "bodies are not logged by default")
            let failed = try await client.get("/api/requests?failed=true", key: TestGateway.adminKey).json.objectValue?["data"]?.arrayValue
            #expect(failed?.first?.objectValue?["error_code"] == "model_not_found")
            expectOpenAIError(
                try await client.get("/api/requests?limit=abc", key: TestGateway.adminKey),
                status: .badRequest,
                code: "invalid_value",
                param: "limit"
            )

            let metrics = try await client.metrics()
            #expect(
                metrics.contains(
                    #"gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",keel_api="chat_completions",gen_ai_provider_name="sim",gen_ai_request_model="gpt-test""#
                )
            )
            #expect(
                metrics.contains(
                    #"gen_ai_client_token_usage_count{gen_ai_operation_name="chat",keel_api="chat_completions",gen_ai_provider_name="sim",gen_ai_request_model="gpt-test",gen_ai_token_type="output"} 1"#
                )
            )
            #expect(metrics.contains(#"keel_requests_total{route="gpt-test",status="200"} 1"#))
            #expect(metrics.contains(#"keel_requests_total{route="none",status="404"} 1"#))
            #expect(!metrics.contains("gpt-nope"), "client-chosen names never become labels")
            #expect(metrics.contains(#"keel_upstream_attempts_total{gen_ai_provider_name="sim",deployment="chat-model",outcome="ok"} 1"#))
            #expect(metrics.contains(#"keel_circuit_breaker_state{deployment="chat-model"} 0"#))
            let breakers = try await client.get("/api/breakers", key: TestGateway.adminKey).json.objectValue?["data"]?.arrayValue
            #expect(breakers?.first == ["deployment": "chat-model", "provider": "sim", "state": "closed"])
            expectOpenAIError(try await client.get("/api/breakers"), status: .forbidden, code: "insufficient_permissions")
        }
    }

    @Test func timeToFirstTokenUpstreamLatencyErrorsAndTheLogBacklogAreMeasured() async throws {
        try await TestGateway().test { client in
            let stream = #"{"model":"gpt-test","stream":true,"messages":[{"role":"user","content":"hello"}]}"#
            #expect(try await client.post("/v1/chat/completions", stream).status == .ok)
            #expect(try await client.post("/v1/chat/completions", #"{"model":"gpt-test","messages":"no"}"#).status == .badRequest)
            let metrics = try await client.metrics()
            let model =
                #"gen_ai_operation_name="chat",keel_api="chat_completions",gen_ai_provider_name="sim",gen_ai_request_model="gpt-test",gen_ai_response_model="chat-model""#
            #expect(metrics.contains("gen_ai_server_time_to_first_token_seconds_count{\(model)} 1"), "\(metrics)")
            #expect(metrics.contains(#"keel_upstream_duration_seconds_count{gen_ai_provider_name="sim",deployment="chat-model",outcome="ok"} 1"#))
            #expect(metrics.contains(#"keel_request_errors_total{route="none",error_type="invalid_type"} 1"#), "refused before routing")
            #expect(metrics.contains("keel_log_dropped_records 0") && metrics.contains("keel_log_queue_depth "))
        }
    }

    @Test func bodiesAreLoggedWhenConfiguredButNeverTheKey() async throws {
        var gateway = TestGateway()
        gateway.bodies = "full"
        try await gateway.test { client in
            let id = try #require(try await client.post("/v1/chat/completions", goodChat).headers[HTTPField.Name("x-request-id")!])
            let record = try await client.logRecord(id: id)
            #expect(record?["request_body"]?.stringValue == goodChat)
            #expect(record?["response_body"]?.stringValue?.contains("chat.completion") == true)
            #expect(record?.jsonText.contains(TestGateway.appKey) == false)
        }
    }

    @Test func aKeptBodyIsCutAtItsLimitAndSaysSo() async throws {
        var gateway = TestGateway()
        gateway.bodies = "full"
        gateway.bodyLimit = 300
        gateway.maximumBodySize = 1 << 20
        gateway.providerYAML = """
              sim:
                type: simulated
                latency: { p50_ms: 0, p99_ms: 0 }
                tokens_per_second: 0
                output_tokens: { min: 2000, max: 2000 }
            """
        try await gateway.test(.live) { client in
            let long = "é" + String(repeating: "long words ", count: 200)
            let body = #"{"model":"gpt-test","stream":true,"messages":[{"role":"user","content":"\#(long)"}]}"#
            let response = try await client.post("/v1/chat/completions", body)
            #expect(response.events.last == "[DONE]")
            let id = try #require(response.headers[HTTPField.Name("x-request-id")!])
            let record = try #require(try await client.logRecord(id: id))
            let marker = "\n[keel: body cut at 300 bytes (log.max_body_bytes)]"
            for field in ["request_body", "response_body"] {
                let kept = try #require(record[field]?.stringValue)
                #expect(kept.hasSuffix(marker), "\(field): \(kept.suffix(80))")
                #expect(kept.utf8.count <= 300 + marker.utf8.count && kept.utf8.count >= 296 + marker.utf8.count)
            }
            #expect(record["request_body"]?.stringValue?.hasPrefix(String(body.prefix(100))) == true)
        }
    }

    @Test func aDegradedAnswerIsLabelledCountedAndLogged() async throws {
        var gateway = TestGateway()
        gateway.providerYAML += "\n    faults: { unavailable: 1.0 }"
        gateway.chatRoute = #"{ model: chat-model, max_attempts: 1, degrade: { static_answer: "Busy; try again soon." } }"#
        try await gateway.test { client in
            let response = try await client.post("/v1/chat/completions", goodChat)
            #expect(response.status == .ok)
            #expect(response.headers[HTTPField.Name("x-keel-degraded")!] == "static; cause=upstream_unavailable")
            #expect(
                response.json.objectValue?["choices"]?.arrayValue?.first?.objectValue?["message"]?.objectValue?["content"] == "Busy; try again soon."
            )
            let record = try await client.logRecord(id: try #require(response.headers[HTTPField.Name("x-request-id")!]))
            #expect(record?["degraded"] == "static" && record?["error_code"] == "upstream_unavailable" && record?["status"] == 200)
            let metrics = try await client.metrics()
            #expect(metrics.contains(#"keel_degraded_total{route="gpt-test",mode="static"} 1"#))
            #expect(metrics.contains(#"keel_upstream_attempts_per_request_count{route="gpt-test"} 1"#))
            #expect(metrics.contains(#"keel_retry_overhead_tokens_total{route="gpt-test"} 8"#), "the failed attempt sent 8 prompt tokens")
        }
    }

    @Test func aClientThatDisconnectsCancelsItsUpstreamCall() async throws {
        var gateway = TestGateway()
        gateway.providerYAML += "\n    faults: { timeout: 1.0, hang_seconds: 30 }"
        try await gateway.test(.live) { client in
            let port = try #require(client.port)
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/chat/completions")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(TestGateway.appKey)")
            request.body = .bytes(ByteBuffer(string: goodChat))
            // The client gives up after 300 ms and closes its connection.
            await #expect(throws: (any Error).self) { try await http.execute(request, timeout: .milliseconds(300)) }
            try await http.shutdown()
            var record: JSONObject?
            let deadline = ContinuousClock.now + .seconds(10)
            while record == nil, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
                record = try await client.get("/api/requests", key: TestGateway.adminKey).json.objectValue?["data"]?.arrayValue?.first?.objectValue
            }
            #expect(record?["status"] == 499 && record?["error_code"] == "client_closed_request")
            #expect((record?["duration_ms"]?.doubleValue ?? .infinity) < 5000, "the 30 s upstream call was cancelled, not waited out")
        }
    }

    @Test func aTeamBudgetCountsDownInItsHeaderAndThenRefusesWithBudgetExceeded() async throws {
        var gateway = TestGateway()
        gateway.extraYAML = "budgets:\n  - { team: search, window: day, limit_usd: 0.0001 }"
        let chat = #"{"model":"gpt-test","max_tokens":10,"messages":[{"role":"user","content":"hello"}]}"#
        try await gateway.test { client in
            var remaining: [Double] = []
            var refusal: TestResponse?
            for _ in 0..<20 where refusal == nil {
                let response = try await client.post("/v1/chat/completions", chat)
                if response.status == .ok {
                    remaining.append(Double(try #require(response.headers[HTTPField.Name("x-keel-budget-remaining")!]))!)
                } else {
                    refusal = response
                }
            }
            #expect(remaining.count >= 3 && remaining == remaining.sorted(by: >), "\(remaining)")
            let refused = try #require(refusal)
            expectOpenAIError(refused, status: .tooManyRequests, code: "budget_exceeded")
            #expect(refused.headers[.retryAfter].flatMap { Int($0) }.map { $0 > 0 && $0 <= 86_400 } == true)
        }
    }

    @Test func aKeyOverItsRequestsPerMinuteIsToldWhenToRetry() async throws {
        var gateway = TestGateway()
        gateway.extraYAML = "rate_limits:\n  keys: { tests: { requests_per_minute: 2 } }"
        try await gateway.test { client in
            #expect(try await client.post("/v1/chat/completions", goodChat).status == .ok)
            #expect(try await client.post("/v1/chat/completions", goodChat).status == .ok)
            let refused = try await client.post("/v1/chat/completions", goodChat)
            expectOpenAIError(refused, status: .tooManyRequests, code: "rate_limit_exceeded")
            #expect(refused.headers[.retryAfter] == "30")
        }
    }
}
