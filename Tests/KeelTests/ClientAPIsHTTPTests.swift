import Foundation
import HTTPTypes
import HummingbirdTesting
import KeelCore
import NIOCore
import NIOHTTP1
import Testing

/// Chat Completions, Responses and Messages served by one route over real HTTP, to an upstream
/// that speaks Chat Completions only: one conversation gives one answer, one usage and one cost
/// whichever API carries it; failures end each API's stream its own way; conversations are kept.
@Suite struct ClientAPIsHTTPTests {
    /// A chat-only upstream: a tool call until it has the tool's result, then the answer. Its
    /// usage is a function of what it was sent, so that a different translation shows in it.
    static func upstream(_ request: ScriptedHTTPServer.Request) -> ScriptedHTTPServer.Reply {
        guard request.head.uri.hasSuffix("/chat/completions"), let body = try? JSONParser.parse(request.body).objectValue else {
            return .answer(status: .notFound, body: #"{"error":{"message":"only chat completions here"}}"#)
        }
        let messages = body["messages"]?.arrayValue ?? []
        let usage: JSONValue = ["prompt_tokens": JSONValue(JSONValue.array(messages).jsonString.utf8.count / 4), "completion_tokens": 7]
        let answered = messages.last?.objectValue?["role"] == "tool"
        let call: JSONValue = ["id": "call_up_1", "type": "function", "function": ["name": "get_weather", "arguments": #"{"city":"Paris"}"#]]
        let finish: JSONValue = answered ? "stop" : "tool_calls"
        guard body["stream"] == true else {
            let message: JSONValue =
                answered ? ["role": "assistant", "content": "It is sunny in Paris."] : ["role": "assistant", "content": nil, "tool_calls": [call]]
            let completion: JSONValue = [
                "id": "chatcmpl-up", "object": "chat.completion", "created": 1, "model": "upstream-chat",
                "choices": [["index": 0, "message": message, "finish_reason": finish]], "usage": usage,
            ]
            return .answer(status: .ok, body: completion.jsonString)
        }
        func chunk(_ delta: JSONValue, finish: JSONValue = nil) -> String {
            let chunk: JSONValue = [
                "id": "chatcmpl-up", "object": "chat.completion.chunk", "created": 1, "model": "upstream-chat",
                "choices": [["index": 0, "delta": delta, "finish_reason": finish]],
            ]
            return "data: \(chunk.jsonString)\n\n"
        }
        var parts = [chunk(["role": "assistant", "content": ""])]
        if answered {
            parts += ["It is ", "sunny in Paris."].map { chunk(["content": .string($0)]) }
        } else {
            parts.append(
                chunk(["tool_calls": [["index": 0, "id": "call_up_1", "type": "function", "function": ["name": "get_weather", "arguments": ""]]]])
            )
            parts += [#"{"city":"#, #""Paris"}"#].map { chunk(["tool_calls": [["index": 0, "function": ["arguments": .string($0)]]]]) }
        }
        parts.append(chunk([:], finish: finish))
        let last: JSONValue = [
            "id": "chatcmpl-up", "object": "chat.completion.chunk", "created": 1, "model": "upstream-chat", "choices": [], "usage": usage,
        ]
        parts += ["data: \(last.jsonString)\n\n", "data: [DONE]\n\n"]
        return .streamed(status: .ok, parts: parts, gap: .milliseconds(1))
    }

    static func gateway(port: Int) -> TestGateway { TestGateway.upstream(port: port) }

    static let tool = #"{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"#

    /// The same conversation in each API's words; with the tool's result when `answered`.
    static func bodies(answered: Bool, stream: Bool) -> [(api: ClientAPI, path: String, body: String)] {
        let streaming = stream ? #","stream":true"# : ""
        let chatTail =
            answered
            ? #",{"role":"assistant","content":null,"tool_calls":[{"id":"call_up_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},{"role":"tool","tool_call_id":"call_up_1","content":"Sunny, 21 C"}"#
            : ""
        let responsesTail =
            answered
            ? #",{"type":"function_call","call_id":"call_up_1","name":"get_weather","arguments":"{\"city\":\"Paris\"}"},{"type":"function_call_output","call_id":"call_up_1","output":"Sunny, 21 C"}"#
            : ""
        let messagesTail =
            answered
            ? #",{"role":"assistant","content":[{"type":"tool_use","id":"call_up_1","name":"get_weather","input":{"city":"Paris"}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"call_up_1","content":"Sunny, 21 C"}]}"#
            : ""
        return [
            (
                .chatCompletions, "/v1/chat/completions",
                #"{"model":"gpt-test","max_completion_tokens":100\#(streaming)\#(stream ? #","stream_options":{"include_usage":true}"# : ""),"messages":[{"role":"system","content":"You report the weather."},{"role":"user","content":"Weather in Paris?"}\#(chatTail)],"tools":[{"type":"function","function":{"name":"get_weather","description":"The weather.","parameters":\#(tool)}}]}"#
            ),
            (
                .responses, "/v1/responses",
                #"{"model":"gpt-test","store":false,"max_output_tokens":100\#(streaming),"instructions":"You report the weather.","input":[{"role":"user","content":"Weather in Paris?"}\#(responsesTail)],"tools":[{"type":"function","name":"get_weather","description":"The weather.","parameters":\#(tool)}]}"#
            ),
            (
                .messages, "/v1/messages",
                #"{"model":"gpt-test","max_tokens":100\#(streaming),"system":"You report the weather.","messages":[{"role":"user","content":"Weather in Paris?"}\#(messagesTail)],"tools":[{"name":"get_weather","description":"The weather.","input_schema":\#(tool)}]}"#
            ),
        ]
    }

    /// What one API answered, in common terms: the text, the tool calls (name and arguments), the usage.
    struct Answer: Equatable {
        var text = ""
        var calls: [String] = []
        var input = 0
        var output = 0
    }

    static func answer(_ api: ClientAPI, _ response: TestResponse, stream: Bool) throws -> Answer {
        guard stream else { return try answer(api, json: try #require(response.json.objectValue)) }
        let events = response.events.filter { $0 != "[DONE]" }
        return try streamedAnswer(api, events: try events.map { try #require(JSONParser.parse(Array($0.utf8)).objectValue) })
    }

    /// A whole answer's terms.
    static func answer(_ api: ClientAPI, json: JSONObject) throws -> Answer {
        var answer = Answer()
        switch api {
        case .chatCompletions:
            let message = json["choices"]?.arrayValue?.first?.objectValue?["message"]?.objectValue
            answer.text = message?["content"]?.stringValue ?? ""
            answer.calls = (message?["tool_calls"]?.arrayValue ?? []).map(Self.call)
            answer.input = Int(json["usage"]?.objectValue?["prompt_tokens"]?.integerValue ?? -1)
            answer.output = Int(json["usage"]?.objectValue?["completion_tokens"]?.integerValue ?? -1)
        case .responses:
            for item in json["output"]?.arrayValue ?? [] {
                let item = item.objectValue ?? JSONObject()
                if item["type"] == "function_call" {
                    answer.calls.append("\(item["name"]?.stringValue ?? "") \(item["arguments"]?.stringValue ?? "")")
                }
                answer.text += (item["content"]?.arrayValue ?? []).compactMap { $0.objectValue?["text"]?.stringValue }.joined()
            }
            answer.input = Int(json["usage"]?.objectValue?["input_tokens"]?.integerValue ?? -1)
            answer.output = Int(json["usage"]?.objectValue?["output_tokens"]?.integerValue ?? -1)
        case .messages:
            for block in json["content"]?.arrayValue ?? [] {
                let block = block.objectValue ?? JSONObject()
                answer.text += block["text"]?.stringValue ?? ""
                if block["type"] == "tool_use" { answer.calls.append("\(block["name"]?.stringValue ?? "") \(block["input"]?.jsonString ?? "")") }
            }
            let usage = json["usage"]?.objectValue
            answer.input = Int((usage?["input_tokens"]?.integerValue ?? -1) + (usage?["cache_read_input_tokens"]?.integerValue ?? 0))
            answer.output = Int(usage?["output_tokens"]?.integerValue ?? -1)
        case .embeddings:
            Issue.record("not a chat API")
        }
        return answer
    }

    /// A streamed answer's terms, from its events' data.
    static func streamedAnswer(_ api: ClientAPI, events: [JSONObject]) throws -> Answer {
        var answer = Answer()
        switch api {
        case .chatCompletions:
            var arguments = ""
            for chunk in events {
                let delta = chunk["choices"]?.arrayValue?.first?.objectValue?["delta"]?.objectValue
                answer.text += delta?["content"]?.stringValue ?? ""
                for call in delta?["tool_calls"]?.arrayValue ?? [] {
                    let function = call.objectValue?["function"]?.objectValue
                    if let name = function?["name"]?.stringValue { answer.calls.append(name) }
                    arguments += function?["arguments"]?.stringValue ?? ""
                }
                if let usage = chunk["usage"]?.objectValue {
                    answer.input = Int(usage["prompt_tokens"]?.integerValue ?? -1)
                    answer.output = Int(usage["completion_tokens"]?.integerValue ?? -1)
                }
            }
            answer.calls = answer.calls.map { "\($0) \(arguments)" }
        case .responses:
            let completed = try #require(events.last { $0["type"] == "response.completed" }?["response"]?.objectValue)
            let final = try Self.answer(.responses, json: completed)
            answer = final
            let deltas = events.filter { $0["type"] == "response.output_text.delta" }.compactMap { $0["delta"]?.stringValue }.joined()
            #expect(deltas == final.text, "the deltas add up to the final text")
        case .messages:
            var arguments = ""
            for event in events {
                let delta = event["delta"]?.objectValue
                answer.text += delta?["text"]?.stringValue ?? ""
                arguments += delta?["partial_json"]?.stringValue ?? ""
                if let block = event["content_block"]?.objectValue, block["type"] == "tool_use" {
                    answer.calls.append(block["name"]?.stringValue ?? "")
                }
                if event["type"] == "message_delta", let usage = event["usage"]?.objectValue {
                    answer.input = Int((usage["input_tokens"]?.integerValue ?? -1) + (usage["cache_read_input_tokens"]?.integerValue ?? 0))
                    answer.output = Int(usage["output_tokens"]?.integerValue ?? -1)
                }
            }
            answer.calls = answer.calls.map { "\($0) \(arguments)" }
        case .embeddings:
            Issue.record("not a chat API")
        }
        return answer
    }

    static func call(_ value: JSONValue) -> String {
        let function = value.objectValue?["function"]?.objectValue
        return "\(function?["name"]?.stringValue ?? "") \(function?["arguments"]?.stringValue ?? "")"
    }

    @Test(arguments: [false, true])
    func oneConversationThroughEachAPIGivesOneAnswerUsageAndCost(stream: Bool) async throws {
        let server = try await ScriptedHTTPServer(Self.upstream)
        try await Self.gateway(port: server.port).test(.live) { client in
            for answered in [false, true] {
                var answers: [Answer] = []
                var ids: [String] = []
                for (api, path, body) in Self.bodies(answered: answered, stream: stream) {
                    let response = try await client.post(path, body)
                    #expect(response.status == .ok, "\(api): \(String(buffer: response.body).prefix(500))")
                    ids.append(try #require(response.headers[HTTPField.Name("x-request-id")!]))
                    answers.append(try Self.answer(api, response, stream: stream))
                }
                let expected =
                    answered
                    ? Answer(text: "It is sunny in Paris.", calls: [], input: answers[0].input, output: 7)
                    : Answer(text: "", calls: [#"get_weather {"city":"Paris"}"#], input: answers[0].input, output: 7)
                #expect(answers == [expected, expected, expected], "answered: \(answered)")
                #expect(answers[0].input > 20)
                // The upstream was sent one request, whichever API carried it.
                let sent = try server.requests.suffix(3).map { try JSONParser.parse($0.body) }
                #expect(sent[1] == sent[0] && sent[2] == sent[0], "\(sent.map(\.jsonString))")
                // One row each in the log, naming its API, with the same tokens and cost.
                var rows: [JSONObject] = []
                for id in ids { rows.append(try #require(try await client.logRecord(id: id))) }
                #expect(rows.map { $0["api"] } == ["chat_completions", "responses", "messages"])
                for row in rows {
                    #expect(row["status"] == 200 && row["input_tokens"] == JSONValue(expected.input) && row["output_tokens"] == 7)
                    #expect(row["cost_usd"] == rows[0]["cost_usd"] && row["cost_usd"] != nil && row["cost_usd"] != .null)
                    #expect(row["stream"] == .bool(stream))
                }
            }
            #expect(try await client.requestLog(count: 7, patience: .seconds(1)).count == 6, "one row a call, no more")
            let metrics = try await client.metrics()
            for api in ["chat_completions", "responses", "messages"] {
                #expect(
                    metrics.contains(#"gen_ai_client_operation_duration_seconds_count{gen_ai_operation_name="chat",keel_api="\#(api)""#),
                    "\(api)"
                )
            }
        }
        try await server.stop()
    }

    @Test(arguments: [ClientAPI.responses, .messages])
    func anUpstreamFailingMidStreamEndsTheStreamInTheAPIsOwnWay(api: ClientAPI) async throws {
        let chunk =
            #"data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"It is"},"finish_reason":null}]}"#
        let server = try await ScriptedHTTPServer { _ in .streamed(status: .ok, parts: [chunk + "\n\n", chunk + "\n\n"], gap: .milliseconds(10)) }
        try await Self.gateway(port: server.port).test(.live) { client in
            let (path, body) = try #require(Self.bodies(answered: false, stream: true).first { $0.api == api }.map { ($0.path, $0.body) })
            let response = try await client.post(path, body)
            #expect(response.status == .ok)
            let names = response.eventNames
            let last = try #require(response.events.last.flatMap { try JSONParser.parse(Array($0.utf8)).objectValue })
            switch api {
            case .responses:
                #expect(names.first == "response.created" && names.last == "response.failed" && !names.contains("response.completed"))
                #expect(names.contains("response.output_text.delta"), "what arrived was streamed first")
                let failed = try #require(last["response"]?.objectValue)
                #expect(failed["status"] == "failed" && failed["error"]?.objectValue?["code"] == "server_error")
            default:
                #expect(names.first == "message_start" && names.last == "error" && !names.contains("message_stop"))
                #expect(last["type"] == "error" && last["error"]?.objectValue?["type"] == "api_error")
            }
            let id = try #require(response.headers[HTTPField.Name("x-request-id")!])
            let record = try #require(try await client.logRecord(id: id))
            #expect(record["error_code"] == "stream_interrupted" && record["api"] == .string(api.rawValue), "the log records it: \(record)")
        }
        try await server.stop()
    }

    /// A Responses body continuing `previous` (if any) with `instructions` and `input`.
    static func turn(_ input: String, instructions: String, previous: String? = nil, stream: Bool = false) -> String {
        var body = JSONObject([("model", "gpt-test"), ("instructions", .string(instructions)), ("input", .string(input))])
        body["previous_response_id"] = previous.map(JSONValue.string)
        if stream { body["stream"] = true }
        return body.jsonText
    }

    @Test func aConversationIsKeptAsAWorkflowOfItsKeyAndContinuesFromItsLatestResponse() async throws {
        let server = try await ScriptedHTTPServer(Self.upstream)
        try await Self.gateway(port: server.port).test(.live) { client in
            let first = try await client.post("/v1/responses", Self.turn("My name is Ada.", instructions: "Be brief."))
            let firstObject = try #require(first.json.objectValue)
            let id = try #require(firstObject["id"]?.stringValue)
            let conversation = try #require(firstObject["conversation"]?.objectValue?["id"]?.stringValue)
            #expect(first.headers[HTTPField.Name("x-keel-workflow-id")!] == conversation)
            #expect(try await client.get("/v1/responses/\(id)").json == first.json, "kept as its client got it")

            let second = try await client.post("/v1/responses", Self.turn("What is my name?", instructions: "Be kind.", previous: id, stream: true))
            #expect(second.eventNames.last == "response.completed")
            let completed = try #require(second.events.last.flatMap { try JSONParser.parse(Array($0.utf8)).objectValue?["response"] })
            let secondID = try #require(completed.objectValue?["id"]?.stringValue)
            // The upstream got the conversation: this turn's instructions (not the first's), then every turn.
            let last = try #require(server.requests.last)
            let sent = try #require(try JSONParser.parse(last.body).objectValue?["messages"]?.arrayValue)
            #expect(
                sent == [
                    ["role": "system", "content": "Be kind."], ["role": "user", "content": "My name is Ada."],
                    [
                        "role": "assistant", "content": nil, "refusal": nil,
                        "tool_calls": [
                            ["id": "call_up_1", "type": "function", "function": ["name": "get_weather", "arguments": #"{"city":"Paris"}"#]]
                        ],
                    ],
                    ["role": "user", "content": "What is my name?"],
                ],
                "\(sent)"
            )
            #expect(try await client.get("/v1/responses/\(secondID)").json == completed, "a stream's response is kept as it ended")

            // Only the latest response continues, only for its key, and only stored.
            let stale = try await client.post("/v1/responses", Self.turn("Again?", instructions: "x", previous: id))
            #expect(stale.status == .badRequest && stale.json.objectValue?["error"]?.objectValue?["param"] == "previous_response_id")
            let other = try await client.post("/v1/responses", Self.turn("Mine?", instructions: "x", previous: secondID), key: TestGateway.adminKey)
            #expect(other.json.objectValue?["error"]?.objectValue?["code"] == "previous_response_not_found")
            #expect(try await client.get("/v1/responses/\(secondID)", key: TestGateway.adminKey).status == .notFound)
            var unstored = try #require(JSONParser.parse(Array(Self.turn("x", instructions: "x", previous: secondID).utf8)).objectValue)
            unstored["store"] = false
            let refused = try await client.post("/v1/responses", unstored.jsonText)
            #expect(refused.status == .badRequest && refused.json.objectValue?["error"]?.objectValue?["param"] == "store")

            // The conversation is a workflow: two steps, and its cost once completed.
            let workflow = try #require(try await client.get("/api/workflows/\(conversation)", key: TestGateway.adminKey).json.objectValue)
            #expect(workflow["steps"]?.arrayValue?.count == 2, "\(workflow)")
            #expect(try await client.post("/api/workflows/\(conversation)/complete", "{}").status == .ok)
            let report = try await client.get("/api/workflow-report", key: TestGateway.adminKey).json
            #expect(report.objectValue?["total"]?.objectValue?["completed"] == 1, "\(report)")

            var deleting: HTTPFields = [:]
            deleting[.authorization] = "Bearer \(TestGateway.appKey)"
            let deleted = try await client.execute(uri: "/v1/responses/\(id)", method: .delete, headers: deleting)
            #expect(deleted.json == ["id": .string(id), "object": "response.deleted", "deleted": true])
            #expect(try await client.get("/v1/responses/\(id)").status == .notFound)
        }
        try await server.stop()
    }

    @Test func errorsComeInEachAPIsOwnShapeAndAreLogged() async throws {
        try await TestGateway().test(.live) { client in
            let builtIn = try await client.post("/v1/responses", #"{"model":"gpt-test","input":"x","tools":[{"type":"file_search"}]}"#)
            #expect(builtIn.status == .badRequest)
            #expect(builtIn.json.objectValue?["error"]?.objectValue?["code"] == "unsupported_operation")
            var anthropic: HTTPFields = [.contentType: "application/json", HTTPField.Name("x-api-key")!: TestGateway.appKey]
            anthropic[HTTPField.Name("anthropic-version")!] = "2023-06-01"
            func messages(_ body: String, headers: HTTPFields = anthropic, method: HTTPRequest.Method = .post) async throws -> (Int, JSONObject?) {
                let response = try await client.execute(uri: "/v1/messages", method: method, headers: headers, body: ByteBuffer(string: body))
                let json = response.json.objectValue
                #expect(json?["type"] == "error" && json?["error"]?.objectValue?["message"]?.stringValue != nil, "\(String(buffer: response.body))")
                return (Int(response.status.code), json?["error"]?.objectValue)
            }
            let (status, error) = try await messages("{not json")
            #expect(status == 400 && error?["type"] == "invalid_request_error")
            let unknown = try await messages(#"{"model":"claude-9","max_tokens":5,"messages":[{"role":"user","content":"x"}]}"#)
            #expect(unknown.0 == 404 && unknown.1?["type"] == "not_found_error")
            let anonymous = try await messages(
                #"{"model":"gpt-test","max_tokens":5,"messages":[{"role":"user","content":"x"}]}"#,
                headers: [.contentType: "application/json"]
            )
            #expect(anonymous.0 == 401 && anonymous.1?["type"] == "authentication_error")
            let method = try await messages("", method: .get)
            #expect(method.0 == 400 || method.0 == 404 || method.0 == 405)
            let rows = try await client.requestLog(count: 4)
            #expect(rows.map { $0["api"] } == ["messages", "messages", "messages", "responses"], "\(rows)")
            #expect(rows.map { $0["status"] } == [401, 404, 400, 400])
        }
    }
}
