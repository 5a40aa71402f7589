import Foundation
import HTTPTypes
import HummingbirdTesting
import KeelCore
import NIOCore
import Testing

/// Prompts on the request path, over HTTP against a scripted upstream: pushed and labelled
/// through `/api/prompts`, named by version or label (or taken from the route), rendered before
/// the caller's messages with the prompt's parameters, recorded on the request log; bad variables
/// and unknown prompts refused in OpenAI's shape.
@Suite struct PromptHTTPTests {
    static let triage = #"""
        {"name": "triage", "messages": [{"role": "system", "content": "You sort tickets for {{product}}{{#tier}} (tier {{tier}}){{/tier}}."}],
         "variables": {"product": "string", "tier": {"type": "integer", "required": false}},
         "parameters": {"temperature": 0.1, "max_tokens": 50}}
        """#

    @Test func aPromptIsRenderedBeforeTheCallersMessagesAndRecorded() async throws {
        let server = try await ScriptedHTTPServer { _ in ReplicaTests.answer("sorted") }
        var gateway = TestGateway()
        gateway.providerYAML = """
              sim: { type: openai, base_url: "http://127.0.0.1:\(server.port)/v1" }
            """
        gateway.chatRoute = "{ model: chat-model, prompt: triage@production }"
        try await gateway.test(.live) { client in
            let admin = TestGateway.adminKey
            let first = try await client.post("/api/prompts", Self.triage, key: admin)
            #expect(first.status == .created && first.json.objectValue?["version"] == 1, "\(String(buffer: first.body))")
            #expect(try await client.post("/api/prompts", Self.triage, key: admin).status == .ok, "the same content again is version 1")
            let second = try await client.post("/api/prompts", Self.triage.replacingOccurrences(of: "You sort", with: "Sort"), key: admin)
            #expect(second.json.objectValue?["version"] == 2)
            #expect(try await client.post("/api/prompts", Self.triage, key: TestGateway.viewerKey).status == .forbidden)
            for (bad, code) in [
                ("{not json", "invalid_json"), (#"{"name": "x", "messages": [{"role": "wizard", "content": "hi"}]}"#, "invalid_value"),
                (##"{"name": "x", "messages": [{"role": "user", "content": "hi"}], "response_schema": {"$ref": "#/nowhere"}}"##, "invalid_value"),
            ] {
                let refused = try await client.post("/api/prompts", bad, key: admin)
                #expect(refused.status == .badRequest && refused.json.objectValue?["error"]?.objectValue?["code"] == .string(code))
            }
            let moved = try await client.post("/api/prompts/triage/labels", #"{"label": "production", "version": 1}"#, key: admin)
            #expect(moved.status == .ok && moved.json.objectValue?["previous"] == .null)

            func chat(_ fields: String) async throws -> (status: HTTPResponse.Status, body: JSONObject?) {
                let response = try await client.post(
                    "/v1/chat/completions",
                    #"{"model": "gpt-test", "messages": [{"role": "user", "content": "My bill"}], \#(fields)}"#
                )
                return (response.status, response.json.objectValue)
            }
            func sent(_ index: Int) throws -> JSONObject? { try JSONParser.parse(server.requests[index].body).objectValue }

            #expect(
                try await chat(#""prompt": {"id": "triage", "label": "production", "variables": {"product": "Kéel ✓", "tier": 2}}"#).status == .ok
            )
            let upstream = try #require(try sent(0))
            #expect(
                upstream["messages"]
                    == [["role": "system", "content": "You sort tickets for Kéel ✓ (tier 2)."], ["role": "user", "content": "My bill"]]
            )
            #expect(upstream["temperature"] == .double(0.1) && upstream["max_tokens"] == 50 && upstream["prompt"] == nil)

            #expect(try await chat(#""prompt": {"id": "triage", "version": "2", "variables": {"product": "Keel"}}, "max_tokens": 7"#).status == .ok)
            let pinned = try #require(try sent(1))
            #expect(pinned["messages"]?.arrayValue?.first?.objectValue?["content"] == "Sort tickets for Keel.")
            #expect(pinned["max_tokens"] == 7, "the caller's parameters win")

            #expect(try await chat(#""variables": {"product": "Keel"}"#).status == .ok, "the route's default prompt")
            #expect(try sent(2)?["messages"]?.arrayValue?.count == 2)

            let missing = try await chat(#""prompt": {"id": "triage", "version": "1", "variables": {"tier": "two", "extra": 1}}"#)
            #expect(missing.status == .badRequest)
            let error = missing.body?["error"]?.objectValue
            let message = error?["message"]?.stringValue ?? ""
            #expect(error?["param"] == "prompt.variables" && message.contains("'product' is missing"))
            #expect(message.contains("'tier' must be integer") && message.contains("'extra' is not a variable"), "\(message)")
            let unknown = try await chat(#""prompt": {"id": "nope", "label": "production"}"#)
            #expect(unknown.status == .notFound && unknown.body?["error"]?.objectValue?["param"] == "prompt")
            #expect(server.requests.count == 3, "refused requests never reach the upstream")
            let staging = #""prompt": {"id": "triage", "label": "staging", "variables": {"product": "Keel"}}"#
            #expect(try await chat(staging).status == .notFound)
            _ = try await client.post("/api/prompts/triage/labels", #"{"label": "staging", "version": 2}"#, key: admin)
            #expect(try await chat(staging).status == .ok, "a label is found as soon as it exists: a miss is not remembered")

            let deadline = ContinuousClock.now + .seconds(5)
            var logged: [JSONValue] = []
            while logged.count < 7, ContinuousClock.now < deadline {
                logged = try await client.get("/api/requests?limit=10", key: admin).json.objectValue?["data"]?.arrayValue ?? []
                if logged.count < 7 { try await Task.sleep(for: .milliseconds(50)) }
            }
            let prompts = logged.compactMap { $0.objectValue }.filter { $0["status"] == 200 }.map { [$0["prompt"], $0["prompt_version"]] }
            #expect(prompts == [["triage", 2], ["triage", 1], ["triage", 2], ["triage", 1]], "newest first")
            let shown = try await client.get("/api/prompts/triage", key: TestGateway.viewerKey).json.objectValue
            #expect(shown?["labels"] == ["production": 1, "staging": 2] && shown?["versions"]?.arrayValue?.count == 2)
            #expect(
                shown?["history"]?.arrayValue?.compactMap { $0.objectValue?["kind"]?.stringValue } == ["pushed", "pushed", "labelled", "labelled"]
            )
        }
        try await server.stop()
    }
}
