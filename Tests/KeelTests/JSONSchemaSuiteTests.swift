import Foundation
import KeelCore
import Testing

/// The official JSON Schema Test Suite, draft 2020-12, required tests: every test's verdict, with
/// the suite's remote schemas served from memory at `http://localhost:1234/`.
@Suite struct JSONSchemaSuiteTests {
    static let folder = Bundle.module.url(forResource: "Fixtures/json-schema-test-suite", withExtension: nil)!

    static func remotes() throws -> [String: JSONValue] {
        let root = folder.appendingPathComponent("remotes")
        var remotes: [String: JSONValue] = [:]
        let files = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".json") } ?? []
        for file in files {
            remotes["http://localhost:1234/\(file)"] = try JSONParser.parse(try Data(contentsOf: root.appendingPathComponent(file)))
        }
        return remotes
    }

    @Test func everyRequiredTestOfDraft2020_12() throws {
        let remotes = try Self.remotes()
        let tests = Self.folder.appendingPathComponent("tests/draft2020-12")
        let files = try FileManager.default.contentsOfDirectory(atPath: tests.path).filter { $0.hasSuffix(".json") }.sorted()
        #expect(files.count == 46)
        var wrong: [String] = []
        var count = 0
        for file in files {
            let groups = try #require(try JSONParser.parse(try Data(contentsOf: tests.appendingPathComponent(file))).arrayValue)
            for group in groups {
                let object = try #require(group.objectValue)
                let description = object["description"]?.stringValue ?? "?"
                let schema: JSONSchema
                do {
                    schema = try JSONSchema(try #require(object["schema"]), resources: remotes)
                } catch {
                    wrong.append("\(file) | \(description): schema refused: \(error)")
                    continue
                }
                for test in object["tests"]?.arrayValue ?? [] {
                    count += 1
                    let expected = test.objectValue?["valid"]?.boolValue ?? false
                    let problems = schema.validate(test.objectValue?["data"] ?? .null)
                    if problems.isEmpty != expected {
                        let said = problems.isEmpty ? "valid" : "invalid: \(problems.prefix(2))"
                        wrong.append("\(file) | \(description) | \(test.objectValue?["description"]?.stringValue ?? "?"): \(said)")
                    }
                }
            }
        }
        #expect(count > 1_200)
        #expect(wrong.isEmpty, "\(wrong.count) of \(count) wrong:\n\(wrong.joined(separator: "\n"))")
    }

    @Test func problemsNameTheInstancePlace() throws {
        let schema = try JSONSchema(
            [
                "type": "object", "required": ["queue"],
                "properties": ["queue": ["enum": ["billing", "tech"]], "items": ["type": "array", "items": ["type": "integer"]]],
            ]
        )
        #expect(schema.validate(["queue": "billing", "items": [1, 2]]).isEmpty)
        let problems = schema.validate(["queue": "sales", "items": [1, "two"]])
        #expect(problems.contains { $0.hasPrefix("/queue: must be one of") })
        #expect(problems.contains { $0.hasPrefix("/items/1: must be integer") })
        #expect(schema.validate([:]) == ["/: must have the property 'queue'"])
    }

    @Test func invalidSchemasAreRefusedWithTheirPlace() {
        #expect(throws: KeelError.self) { try JSONSchema(["$ref": "#/$defs/missing"]) }
        #expect(throws: KeelError.self) { try JSONSchema(["properties": ["a": ["pattern": "(unclosed"]]]) }
        #expect(throws: KeelError.self) { try JSONSchema(["allOf": ["type": "string"]]) }
        #expect(throws: KeelError.self) { try JSONSchema(3) }
    }
}
