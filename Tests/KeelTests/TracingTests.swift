import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KeelCore
import Synchronization
import Testing

/// Traces exported over OTLP/HTTP (JSON) to a receiver on loopback that decodes what arrives.
@Suite struct TracingTests {
    /// One decoded span: ids in hex, attributes as plain values.
    struct ReceivedSpan {
        var traceID: String
        var spanID: String
        var parentSpanID: String
        var name: String
        var kind: Int
        var attributes: [String: JSONValue]
        var failed: Bool
    }

    /// A minimal OTLP/HTTP JSON trace receiver.
    final class Collector: Sendable {
        private let received = Mutex<[ReceivedSpan]>([])
        var spans: [ReceivedSpan] { received.withLock { $0 } }

        func accept(_ body: JSONValue) {
            var decoded: [ReceivedSpan] = []
            for resource in body.objectValue?["resourceSpans"]?.arrayValue ?? [] {
                for scope in resource.objectValue?["scopeSpans"]?.arrayValue ?? [] {
                    for span in scope.objectValue?["spans"]?.arrayValue ?? [] {
                        if let span = span.objectValue { decoded.append(Self.decode(span)) }
                    }
                }
            }
            received.withLock { $0 += decoded }
        }

        static func decode(_ span: JSONObject) -> ReceivedSpan {
            var attributes: [String: JSONValue] = [:]
            for attribute in span["attributes"]?.arrayValue ?? [] {
                guard let object = attribute.objectValue, let key = object["key"]?.stringValue else { continue }
                attributes[key] = value(object["value"])
            }
            let status = span["status"]?.objectValue?["code"]
            return ReceivedSpan(
                traceID: hex(span["traceId"]),
                spanID: hex(span["spanId"]),
                parentSpanID: hex(span["parentSpanId"]),
                name: span["name"]?.stringValue ?? "",
                kind: kind(span["kind"]),
                attributes: attributes,
                failed: status == .integer(2) || status == .string("STATUS_CODE_ERROR")
            )
        }

        /// Waits until `count` spans arrived (or 10 seconds passed).
        func spans(count: Int) async throws -> [ReceivedSpan] {
            let deadline = ContinuousClock.now + .seconds(10)
            while spans.count < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            return spans
        }

        /// OTLP/JSON ids are hex; protobuf's JSON mapping writes bytes as base64: accept both.
        static func hex(_ value: JSONValue?) -> String {
            guard let text = value?.stringValue, !text.isEmpty else { return "" }
            if text.count % 2 == 0, text.allSatisfy(\.isHexDigit) { return text.lowercased() }
            return Data(base64Encoded: text).map { $0.map { String(format: "%02x", $0) }.joined() } ?? text
        }

        static func kind(_ value: JSONValue?) -> Int {
            if let number = value?.integerValue { return Int(number) }
            return ["SPAN_KIND_SERVER": 2, "SPAN_KIND_CLIENT": 3][value?.stringValue ?? ""] ?? 0
        }

        /// An attribute's value: `{"stringValue": …}`, `{"intValue": "8"}`, `{"arrayValue": {"values": […]}}`, ….
        static func value(_ any: JSONValue?) -> JSONValue {
            guard let object = any?.objectValue, let kind = object.keys.first, let value = object[kind] else { return .null }
            switch kind {
            case "intValue": return value.stringValue.flatMap(Int64.init).map(JSONValue.integer) ?? value
            case "arrayValue": return .array((value.objectValue?["values"]?.arrayValue ?? []).map { Self.value($0) })
            default: return value
            }
        }
    }

    /// Runs `body` against a gateway that exports its traces to a fresh collector.
    func withTracedGateway(
        _ gateway: TestGateway,
        tracing: String,
        _ body: @escaping @Sendable (any TestClientProtocol, Collector) async throws -> Void
    )
        async throws
    {
        let collector = Collector()
        let router = Router()
        router.post("v1/traces") { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 4 << 20)
            collector.accept(try JSONParser.parse(bytes.readableBytesView))
            // OTLP's answer: an empty ExportTraceServiceResponse.
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: "{}")))
        }
        let receiver = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await receiver.test(.live) { otlp in
            var gateway = gateway
            let endpoint = "http://127.0.0.1:\(try #require(otlp.port))"
            gateway.extraYAML = "tracing: { endpoint: \"\(endpoint)\", protocol: http/json, batch_delay_ms: 50\(tracing) }"
            try await gateway.test { client in try await body(client, collector) }
        }
    }

    static let traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

    /// A chat completion sent in the client's sampled trace ``traceParent``.
    static func sendInClientsTrace(_ client: any TestClientProtocol) async throws -> TestResponse {
        try await client.execute(
            uri: "/v1/chat/completions",
            method: .post,
            headers: [
                .contentType: "application/json", .authorization: "Bearer \(TestGateway.appKey)",
                HTTPField.Name("traceparent")!: traceParent,
            ],
            body: ByteBuffer(string: goodChat)
        )
    }

    @Test func aRequestIsAServerSpanWithGenAIAttributesContinuingTheClientsTrace() async throws {
        try await withTracedGateway(TestGateway(), tracing: "") { client, collector in
            let answer = try await Self.sendInClientsTrace(client)
            #expect(answer.status == .ok)
            let spans = try await collector.spans(count: 2)
            let request = try #require(spans.first { $0.kind == 2 })
            let attempt = try #require(spans.first { $0.kind == 3 })
            #expect(request.traceID == "0af7651916cd43dd8448eb211c80319c" && request.parentSpanID == "b7ad6b7169203331", "the client's trace")
            #expect(attempt.traceID == request.traceID && attempt.parentSpanID == request.spanID, "the attempt is the request's child")
            #expect(request.name == "chat gpt-test" && !request.failed)
            let attributes = request.attributes
            #expect(attributes["gen_ai.operation.name"] == "chat" && attributes["gen_ai.request.model"] == "gpt-test")
            #expect(attributes["gen_ai.provider.name"] == "sim" && attributes["gen_ai.response.model"] == "upstream-chat")
            #expect((attributes["gen_ai.usage.input_tokens"]?.integerValue ?? 0) > 0 && attributes["gen_ai.usage.output_tokens"] == 8)
            #expect(attributes["gen_ai.response.finish_reasons"] == ["stop"] && attributes["http.response.status_code"] == 200)
            #expect(attributes["error.type"] == nil && attributes["gen_ai.input.messages"] == nil, "no content unless configured")
            #expect(attempt.attributes["gen_ai.request.model"] == "chat-model" && attempt.attributes["keel.attempt"] == 1)
        }
    }

    @Test func failedAttemptsAreErrorSpansAndContentIsTracedOnlyWhenConfigured() async throws {
        var gateway = TestGateway()
        gateway.providerYAML += "\n    faults: { server_error: 1.0 }"
        gateway.chatRoute = "{ model: chat-model, max_attempts: 2 }"
        try await withTracedGateway(gateway, tracing: ", content: true") { client, collector in
            let answer = try await client.post("/v1/chat/completions", goodChat)
            #expect(answer.status.code >= 500)
            let spans = try await collector.spans(count: 3)
            let request = try #require(spans.first { $0.kind == 2 })
            let attempts = spans.filter { $0.kind == 3 }
            #expect(attempts.count == 2 && attempts.allSatisfy { $0.failed && $0.attributes["error.type"] == "server_error" })
            let code = answer.json.objectValue?["error"]?.objectValue?["code"]
            #expect(request.failed && code != nil && request.attributes["error.type"] == code)
            #expect(request.attributes["gen_ai.input.messages"]?.stringValue?.contains("hello") == true, "content is configured")
            #expect(request.traceID.count == 32 && request.parentSpanID.isEmpty, "a new trace without a traceparent")
            let id = try #require(answer.headers[HTTPField.Name("x-request-id")!])
            #expect(try await client.logRecord(id: id)?["request_body"] == nil, "the log keeps no bodies unless it is told to")
        }
    }

    @Test func aSampleRatioOfNoneStillFollowsAClientsSampledTrace() async throws {
        try await withTracedGateway(TestGateway(), tracing: ", sample_ratio: 0") { client, collector in
            for _ in 0..<3 { #expect(try await client.post("/v1/chat/completions", goodChat).status == .ok) }
            let traced = try await Self.sendInClientsTrace(client)
            #expect(traced.status == .ok)
            _ = try await collector.spans(count: 2)
            try await Task.sleep(for: .milliseconds(300))
            let spans = collector.spans
            #expect(spans.count == 2 && spans.allSatisfy { $0.traceID == "0af7651916cd43dd8448eb211c80319c" }, "only the client's sampled trace")
        }
    }
}
