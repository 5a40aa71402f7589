import KeelCore
import Testing

/// Rendering is exact: what the template says, with the variables as given — Unicode kept,
/// nothing escaped for HTML, numbers as written, and every missing, mistyped or unknown variable
/// named in one refusal.
@Suite struct PromptRenderingTests {
    static func prompt(_ content: String, _ variables: [PromptVariable]) throws -> PromptRenderer {
        try PromptRenderer(try PromptTemplate(messages: [PromptTemplate.Message(role: "user", content: content)], variables: variables))
    }

    static func text(_ renderer: PromptRenderer, _ variables: JSONObject) throws -> String? {
        try renderer.render(variables).first?["content"]?.stringValue
    }

    @Test func unicodeAndMarkupArePassedThroughUnchanged() throws {
        let renderer = try Self.prompt(
            "Réponds à {{name}} — «{{question}}» <b>&</b>",
            [PromptVariable(name: "name"), PromptVariable(name: "question")]
        )
        let text = try Self.text(renderer, JSONObject([("name", "Zoë 👩🏽‍💻"), ("question", "x < y && \"quoted\" 'single' 日本語?")]))
        #expect(text == "Réponds à Zoë 👩🏽‍💻 — «x < y && \"quoted\" 'single' 日本語?» <b>&</b>")
    }

    @Test func nonStringVariablesRenderAsWrittenAndDriveSections() throws {
        let renderer = try Self.prompt(
            "n={{count}} p={{price}} big={{big}} ok={{ok}} user={{user.name}}/{{user.age}} all={{user}} list={{tags}}"
                + "{{#tags}}[{{.}}]{{/tags}}{{#ok}} yes{{/ok}}{{^none}} empty{{/none}}",
            [
                PromptVariable(name: "count", kind: .integer), PromptVariable(name: "price", kind: .number),
                PromptVariable(name: "big", kind: .integer), PromptVariable(name: "ok", kind: .boolean),
                PromptVariable(name: "user", kind: .object), PromptVariable(name: "tags", kind: .array),
                PromptVariable(name: "none", kind: .array, required: false),
            ]
        )
        let user = JSONObject([("name", "Ana"), ("age", .integer(41))])
        let text = try Self.text(
            renderer,
            JSONObject([
                ("count", .integer(3)), ("price", .double(2.5)), ("big", .integer(9_007_199_254_740_993)), ("ok", true),
                ("user", .object(user)), ("tags", ["a", "b"]),
            ])
        )
        #expect(text == #"n=3 p=2.5 big=9007199254740993 ok=true user=Ana/41 all={"name":"Ana","age":41} list=["a","b"][a][b] yes empty"#)
    }

    @Test func missingMistypedAndUnknownVariablesAreAllNamedInOneRefusal() throws {
        let renderer = try Self.prompt(
            "{{a}} {{b}} {{c}}",
            [PromptVariable(name: "a"), PromptVariable(name: "b", kind: .integer), PromptVariable(name: "c", required: false)]
        )
        let error = #expect(throws: KeelError.self) {
            try renderer.render(JSONObject([("b", "seven"), ("typo", "x")]))
        }
        #expect(error?.code == .invalidValue && error?.param == "prompt.variables")
        let message = error?.message ?? ""
        #expect(message.contains("'a' is missing") && message.contains("'b' must be integer, not a string"))
        #expect(message.contains("'typo' is not a variable of this prompt") && !message.contains("'c'"), "\(message)")
        #expect(try Self.text(renderer, JSONObject([("a", "x"), ("b", .double(2))])) == "x 2 ", "an optional variable left out renders empty")
        #expect(try Self.text(renderer, JSONObject([("a", "x"), ("b", .integer(2)), ("c", .null)])) == "x 2 ", "null is left out")
    }

    @Test func aVersionIsItsContentWhateverTheKeyOrder() throws {
        let one = try PromptTemplate(
            json: try JSONParser.parse(
                #"{"messages":[{"role":"system","content":"Hi {{x}}"}],"variables":{"x":"string","y":{"type":"integer","required":false}},"parameters":{"temperature":0.2,"max_tokens":5}}"#
            )
        )
        let two = try PromptTemplate(
            json: try JSONParser.parse(
                #"{"parameters":{"max_tokens":5,"temperature":0.2},"variables":{"y":{"required":false,"type":"integer"},"x":{"type":"string"}},"messages":[{"content":"Hi {{x}}","role":"system"}]}"#
            )
        )
        #expect(one.contentHash == two.contentHash && one.contentHash.count == 64)
        var changed = one
        changed.messages[0].content = "Hi  {{x}}"
        #expect(changed.contentHash != one.contentHash)
        #expect(try PromptTemplate(json: .object(one.json)) == one, "the stored form reads back the same")
    }

    @Test func badPromptsAreRefusedWhenPushed() throws {
        #expect(throws: KeelError.self) { try PromptTemplate(json: try JSONParser.parse(#"{"messages":[]}"#)) }
        #expect(throws: KeelError.self) { try PromptTemplate(json: try JSONParser.parse(#"{"messages":[{"role":"wizard","content":"x"}]}"#)) }
        #expect(throws: KeelError.self) { try PromptTemplate(json: try JSONParser.parse(#"{"messages":[{"role":"user","content":"{{#open}}"}]}"#)) }
        #expect(throws: KeelError.self) {
            try PromptTemplate(json: try JSONParser.parse(#"{"messages":[{"role":"user","content":"x"}],"variables":{"x":"date"}}"#))
        }
        #expect(throws: KeelError.self) {
            try PromptTemplate(json: try JSONParser.parse(#"{"messages":[{"role":"user","content":"x"}],"parameters":{"model":"gpt-5"}}"#))
        }
        #expect(throws: KeelError.self) { try PromptReference(parsing: "no spaces@prod") }
        #expect(try PromptReference(parsing: "triage@3") == PromptReference(name: "triage", selector: .version(3)))
        #expect(try PromptReference(parsing: "triage@production") == PromptReference(name: "triage", selector: .label("production")))
    }
}
