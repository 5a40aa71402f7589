import Foundation
import HTTPTypes
import HummingbirdTesting
import KeelCore
import NIOCore
import NIOHTTP1
import Testing

/// Every way an upstream can misbehave ends in a clean OpenAI error (or, once a stream has begun,
/// an error event) within the attempt's bounds, and the bound that tripped is counted.
@Suite struct HostileUpstreamTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var reply: ScriptedHTTPServer.Reply
        var stream = false
        /// The status the client gets (200 when the stream began before it failed).
        var status: Int
        /// The error code, in the body or in the stream's error event.
        var code: String
        /// The bound that trips, counted in `keel_limit_exceeded_total`.
        var limit: String?
        /// How long the client may wait for the error.
        var within: Duration = .seconds(6)

        var testDescription: String { name }
    }

    static let chunk = #"{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"x"}}]}"#
    static let completion =
        #"{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"ok"}}],"usage":USAGE}"#

    static let cases: [Case] = [
        Case(name: "garbage with 200", reply: .answer(status: .ok, body: "<html>not an answer</html>"), status: 502, code: "upstream_error"),
        Case(
            name: "garbage with 200, streamed",
            reply: .answer(status: .ok, body: "<html>x</html>"),
            stream: true,
            status: 502,
            code: "stream_interrupted"
        ),
        Case(
            name: "a JSON body where a stream was asked for",
            reply: .answer(status: .ok, body: completion.replacingOccurrences(of: "USAGE", with: "null")),
            stream: true,
            status: 502,
            code: "stream_interrupted"
        ),
        Case(
            name: "a stream cut without [DONE]",
            reply: .streamed(status: .ok, parts: ["data: \(chunk)\n\n", "data: \(chunk)\n\n"], gap: .milliseconds(10)),
            stream: true,
            status: 200,
            code: "stream_interrupted"
        ),
        Case(
            name: "a byte every 200 ms: the attempt's timeout",
            reply: .drip(status: .ok, gap: .milliseconds(200)),
            status: 504,
            code: "upstream_timeout"
        ),
        Case(name: "a byte a second: the idle timeout", reply: .drip(status: .ok, gap: .seconds(1)), status: 504, code: "upstream_timeout"),
        Case(
            name: "a byte every 200 ms, streamed",
            reply: .drip(status: .ok, gap: .milliseconds(200)),
            stream: true,
            status: 504,
            code: "upstream_timeout"
        ),
        Case(name: "an upstream that never answers", reply: .silence, status: 504, code: "upstream_timeout"),
        Case(name: "a reset connection", reply: .reset, status: 502, code: "upstream_error"),
        Case(
            name: "an endless line",
            reply: .endless(status: .ok, prefix: "data: ", piece: "x"),
            stream: true,
            status: 502,
            code: "upstream_error",
            limit: "providers.sim.max_line_bytes",
        ),
        Case(
            name: "an enormous body",
            reply: .endless(status: .ok, prefix: #"{"choices":["#, piece: "{},"),
            status: 502,
            code: "upstream_error",
            limit: "providers.sim.max_response_bytes",
        ),
        Case(
            name: "an endless stream",
            reply: .endless(status: .ok, piece: "data: \(chunk)\n\n"),
            stream: true,
            status: 200,
            code: "upstream_error",
            limit: "providers.sim.max_stream_bytes",
        ),
        Case(
            name: "a negative usage count",
            reply: .answer(status: .ok, body: completion.replacingOccurrences(of: "USAGE", with: #"{"prompt_tokens":-5,"completion_tokens":1}"#)),
            status: 502,
            code: "upstream_error"
        ),
        Case(
            name: "a usage count past any price",
            reply: .answer(
                status: .ok,
                body: completion.replacingOccurrences(of: "USAGE", with: #"{"prompt_tokens":9223372036854775807,"completion_tokens":1}"#)
            ),
            status: 502,
            code: "upstream_error"
        ),
    ]

    func gateway(port: Int) -> TestGateway {
        TestGateway.upstream(
            port: port,
            settings: [
                "timeout_seconds: 3", "idle_timeout_seconds: 0.5", "max_response_bytes: 1048576", "max_line_bytes: 65536",
                "max_stream_bytes: 262144",
            ],
            route: "max_attempts: 1, latency_budget_ms: 10000"
        )
    }

    @Test(arguments: cases)
    func aHostileUpstreamGetsACleanErrorWithinItsBounds(_ hostile: Case) async throws {
        let server = try await ScriptedHTTPServer { _ in hostile.reply }
        try await gateway(port: server.port).test(.live) { client in
            let body = #"{"model":"gpt-test","stream":\#(hostile.stream),"messages":[{"role":"user","content":"hi"}]}"#
            let started = ContinuousClock.now
            let response = try await client.post("/v1/chat/completions", body)
            let waited = ContinuousClock.now - started
            #expect(Int(response.status.code) == hostile.status, "\(String(buffer: response.body).prefix(400))")
            let error: JSONObject?
            if hostile.status == 200 {
                #expect(!response.events.contains("[DONE]"))
                error = try response.events.last.flatMap { try JSONParser.parse($0).objectValue?["error"]?.objectValue }
            } else {
                error = response.json.objectValue?["error"]?.objectValue
            }
            #expect(error?["code"] == .string(hostile.code), "\(String(buffer: response.body).prefix(400))")
            #expect(waited < hostile.within, "answered after \(waited)")
            let id = try #require(response.headers[HTTPField.Name("x-request-id")!])
            let record = try await client.logRecord(id: id)
            #expect(record?["error_code"] == .string(hostile.code), "the log records what happened: \(String(describing: record))")
            if let limit = hostile.limit {
                let metrics = try await client.metrics()
                #expect(metrics.contains(#"keel_limit_exceeded_total{limit="\#(limit)"} 1"#), "\(metrics)")
            }
            #expect(try await client.post("/v1/chat/completions", #"{"model":"embed-test","input":"x"}"#).status != .internalServerError)
        }
        try await server.stop()
    }
}
