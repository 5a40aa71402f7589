import Foundation
import KeelApp
import KeelCore
import Testing

/// Prompt files and what `keel prompts diff` prints of two versions.
@Suite struct PromptFileTests {
    @Test func aYAMLFileReadsAsTheJSONTheAPITakes() async throws {
        try await withTemporaryDirectory { directory in
            let path = "\(directory)/p.yaml"
            try """
            name: triage
            messages:
              - role: system
                content: |
                  Line one {{x}}.
                  Line two.
            variables:
              x: { type: string, required: true }
            parameters: { temperature: 0.5, max_tokens: 20, stop: ["3", "END"], seed: 7 }
            """.write(toFile: path, atomically: true, encoding: .utf8)
            let json = try PromptFile.load(path)
            let parameters = json.objectValue?["parameters"]?.objectValue
            #expect(parameters?["temperature"] == .double(0.5) && parameters?["max_tokens"] == 20 && parameters?["seed"] == 7)
            #expect(parameters?["stop"] == ["3", "END"], "a quoted number stays text")
            let template = try PromptTemplate(json: json)
            #expect(template.messages[0].content == "Line one {{x}}.\nLine two.\n")
        }
    }

    @Test func aDiffShowsRemovedLinesBeforeAddedOnesAndEveryOtherChange() throws {
        let old = try PromptTemplate(
            messages: [.init(role: "system", content: "Keep.\nOld line.\nEnd.")],
            variables: [PromptVariable(name: "a"), PromptVariable(name: "gone")],
            parameters: JSONObject([("temperature", .double(0.2))])
        )
        let new = try PromptTemplate(
            messages: [.init(role: "system", content: "Keep.\nNew line.\nEnd."), .init(role: "user", content: "{{a}}")],
            variables: [PromptVariable(name: "a", kind: .integer), PromptVariable(name: "added", required: false)],
            parameters: JSONObject([("temperature", .double(0.1))])
        )
        #expect(
            PromptDiff.lines(from: old, to: new) == [
                "messages.0 [system]", "    Keep.", "  - Old line.", "  + New line.", "    End.",
                "messages.1 [none → user]", "  + {{a}}",
                "variables  a: string → a: integer", "variables  + added: string, optional", "variables  - gone: string",
                "parameters  temperature: 0.2 → 0.1",
            ]
        )
        #expect(LineDiff(["a", "b"], ["a", "b"]).isEmpty && !LineDiff(["a"], []).isEmpty)
    }
}
