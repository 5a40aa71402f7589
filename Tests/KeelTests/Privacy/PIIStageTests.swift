import Foundation
import HTTPTypes
import HummingbirdTesting
import KeelCore
import NIOCore
import NIOHTTP1
import Testing

/// A route's PII policy on the request path, against a real upstream on loopback: a blocked type
/// is refused naming the type, a type redacted upstream never reaches the model and comes back to
/// the client (in streams too, a placeholder split across chunks), and the log keeps neither.
@Suite struct PIIStageTests {
    static let email = "ana.silva@example.com"
    static let card = "4111 1111 1111 1111"

    /// An upstream that echoes the last user message, or streams it back in pieces of three bytes.
    static func upstream() async throws -> ScriptedHTTPServer {
        try await ScriptedHTTPServer { request in
            let body = (try? JSONParser.parse(request.body).objectValue) ?? JSONObject()
            let said = body["messages"]?.arrayValue?.last?.objectValue?["content"]?.stringValue ?? ""
            guard body["stream"]?.boolValue == true else { return ReplicaTests.answer("You said: " + said) }
            let pieces = stride(from: 0, to: said.utf8.count, by: 3).map { offset in
                String(decoding: Array(said.utf8)[offset..<min(offset + 3, said.utf8.count)], as: UTF8.self)
            }
            let chunks: [JSONValue] =
                pieces.map { piece -> JSONValue in
                    [
                        "id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
                        "choices": [["index": 0, "delta": ["content": .string(piece)], "finish_reason": nil]],
                    ]
                } + [
                    [
                        "id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
                        "choices": [["index": 0, "delta": [:], "finish_reason": "stop"]],
                    ]
                ]
            return .streamed(status: .ok, parts: chunks.map { "data: \($0.jsonString)\n\n" } + ["data: [DONE]\n\n"], gap: .milliseconds(1))
        }
    }

    static func gateway(port: Int) -> TestGateway {
        var gateway = TestGateway()
        gateway.providerYAML = """
              sim: { type: openai, base_url: "http://127.0.0.1:\(port)/v1" }
            """
        gateway.chatRoute = "{ model: chat-model, pii: { actions: { default: redact-upstream, card: block } } }"
        gateway.bodies = "full"
        gateway.maximumBodySize = 65_536
        return gateway
    }

    /// The answer's text: the streamed deltas joined, or the completion's message.
    static func text(of answer: TestResponse, stream: Bool) -> String {
        guard stream else {
            return answer.json.objectValue?["choices"]?.arrayValue?.first?.objectValue?["message"]?.objectValue?["content"]?.stringValue ?? ""
        }
        return answer.events.compactMap { try? JSONParser.parse($0) }.compactMap {
            $0.objectValue?["choices"]?.arrayValue?.first?.objectValue?["delta"]?.objectValue?["content"]?.stringValue
        }.joined()
    }

    static func chat(_ content: String, stream: Bool = false) -> String {
        let body: JSONValue = ["model": "gpt-test", "stream": .bool(stream), "messages": [["role": "user", "content": .string(content)]]]
        return body.jsonString
    }

    @Test func aBlockedTypeIsRefusedNamingTheTypeNeverTheValue() async throws {
        let upstream = try await Self.upstream()
        try await Self.gateway(port: upstream.port).test { client in
            let refused = try await client.post("/v1/chat/completions", Self.chat("Charge \(Self.card) please"))
            let error = refused.json.objectValue?["error"]?.objectValue
            #expect(refused.status == .badRequest && error?["code"] == "pii_blocked" && error?["message"]?.stringValue?.contains("card") == true)
            #expect(!String(buffer: refused.body).contains("4111"), "the value is never in the answer")
            #expect(upstream.requests.isEmpty, "nothing reached the model")
            let row = try #require(try await client.requestLog(count: 1).first)
            #expect(row["request_body"]?.stringValue?.contains("[CARD]") == true && row["request_body"]?.stringValue?.contains("4111") == false)
        }
        try await upstream.stop()
    }

    @Test(arguments: [false, true])
    func aRedactedValueNeverReachesTheModelAndComesBackToTheClient(stream: Bool) async throws {
        let upstream = try await Self.upstream()
        try await Self.gateway(port: upstream.port).test { client in
            let said = "Mail \(Self.email) or call +44 20 7946 0958, again \(Self.email)."
            let answer = try await client.post("/v1/chat/completions", Self.chat(said, stream: stream))
            #expect(answer.status == .ok)
            let text = Self.text(of: answer, stream: stream)
            #expect(text.hasSuffix(said), "every value back, the placeholders split across chunks too: \(text)")
            let sent = upstream.requests.map(\.body).joined()
            #expect(!sent.contains(Self.email) && !sent.contains("7946") && sent.contains("[EMAIL_1]") && sent.contains("[PHONE_1]"), "\(sent)")
            #expect(sent.components(separatedBy: "[EMAIL_1]").count == 3, "the same value, the same placeholder")
            let row = try #require(try await client.requestLog(count: 1).first)
            let logged = (row["request_body"]?.stringValue ?? "") + (row["response_body"]?.stringValue ?? "")
            #expect(!logged.contains(Self.email) && !logged.contains("7946") && logged.contains("[EMAIL]"), "\(logged)")
            // Counted by type, action and position, never by value: 5..<26 is the first email in code points.
            let redactions = (row["redactions"]?.arrayValue ?? []).compactMap(PIIRedaction.init(json:))
            let asked = redactions.filter { $0.field == "messages.0.content" }
            #expect(asked.map(\.type) == [.email, .phone, .email] && asked.allSatisfy { $0.action == .redactUpstream })
            #expect(asked.first.map { ($0.start, $0.end) } ?? (0, 0) == (5, 26))
            let answered = redactions.filter { $0.field == (stream ? "response" : "choices.0.message.content") }
            #expect(answered.count == 3, "the restored answer is masked in the log too: \(redactions)")
            let metrics = try await client.metrics()
            #expect(metrics.contains(#"keel_pii_redactions_total{route="gpt-test",type="email",action="redact-upstream"} 4"#), "\(metrics)")
            // Audited once the log has the row, in the same flush.
            let subject = #""subject":"\#(row["id"]?.stringValue ?? "")""#
            var audit = JSONValue.null
            for _ in 0..<50 where !audit.jsonString.contains(subject) {
                audit = try await client.get("/api/audit?limit=1000", key: TestGateway.adminKey).json
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(audit.jsonString.contains(subject) && audit.jsonString.contains("pii_redacted"), "\(audit.jsonString)")
            #expect(!audit.jsonString.contains(Self.email))
        }
        try await upstream.stop()
    }

    /// A kept response under a PII route: its client gets every value back, and the kept object —
    /// the answer and what it echoes of the request — holds none.
    @Test(arguments: [false, true])
    func aKeptResponseHoldsNoValue(stream: Bool) async throws {
        let upstream = try await Self.upstream()
        try await Self.gateway(port: upstream.port).test { client in
            let said = "Mail \(Self.email) today."
            var body = JSONObject([("model", "gpt-test"), ("input", .string(said)), ("instructions", .string("Write to \(Self.email)."))])
            body["metadata"] = ["owner": .string(Self.email)]
            if stream { body["stream"] = true }
            let answer = try await client.post("/v1/responses", body.jsonText)
            let events = answer.events.compactMap { try? JSONParser.parse(Array($0.utf8)).objectValue }
            let object = try #require(stream ? events.last?["response"]?.objectValue : answer.json.objectValue)
            #expect(JSONValue.object(object).jsonString.contains(Self.email), "the client gets its values back")
            let id = try #require(object["id"]?.stringValue)
            let kept = String(buffer: try await client.get("/v1/responses/\(id)").body)
            #expect(!kept.contains(Self.email) && kept.contains("[EMAIL]"), "\(kept)")
        }
        try await upstream.stop()
    }

    /// The whole corpus through a `redact-upstream` route, every other message streamed: the model
    /// never receives a value, and every answer comes back with every value in place.
    @Test func theCorpusNeverReachesTheModelAndEveryValueComesBack() async throws {
        let messages = try PIIStorageTests.corpus()
        let upstream = try await Self.upstream()
        var gateway = Self.gateway(port: upstream.port)
        gateway.chatRoute = "{ model: chat-model, pii: { actions: { default: redact-upstream } } }"
        try await gateway.test { client in
            for (index, message) in messages.enumerated() {
                let stream = index % 2 == 1
                let answer = try await client.post("/v1/chat/completions", Self.chat(message.text, stream: stream))
                let text = Self.text(of: answer, stream: stream)
                // The scripted upstream echoes a stream as it was sent, a completion after "You said: ".
                #expect(text == (stream ? "" : "You said: ") + message.text, "\(message.id) (stream: \(stream))")
            }
        }
        let sent = upstream.requests.map(\.body).joined()
        #expect(upstream.requests.count == messages.count)
        let leaked = Set(messages.flatMap(\.values)).filter { sent.contains($0) }
        #expect(leaked.isEmpty, "the model received \(leaked.count) values, e.g. \(leaked.sorted().prefix(3))")
        try await upstream.stop()
    }

    @Test func placeholdersSplitAnywhereAreRestoredAndOtherBracketsPassThrough() {
        var placeholders = PIIPlaceholders()
        let email = placeholders.placeholder(for: "a@b.co", type: .email)
        #expect(email == "[EMAIL_1]" && placeholders.placeholder(for: "a@b.co", type: .email) == "[EMAIL_1]")
        let text = "to [EMAIL_1], not [x] nor [EMAIL_9] [EM"
        for cut in 1..<text.count {
            var stream = placeholders.stream
            let split = text.index(text.startIndex, offsetBy: cut)
            let out = stream.feed(String(text[..<split])) + stream.feed(String(text[split...])) + stream.flush()
            #expect(out == "to a@b.co, not [x] nor [EMAIL_9] [EM", "cut at \(cut)")
        }
    }
}
