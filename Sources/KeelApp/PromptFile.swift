import Foundation
import KeelCore
import Yams

/// A prompt file, YAML (or JSON, which is YAML too), as the JSON `/api/prompts` takes:
///
/// ```yaml
/// name: triage
/// messages:
///   - role: system
///     content: "You sort tickets for {{product}}."
/// variables:
///   product: string
///   tier: { type: integer, required: false }
/// response_schema: { type: object, properties: { queue: { type: string } } }
/// parameters: { temperature: 0.2, max_tokens: 300 }
/// ```
public enum PromptFile {
    public static func load(_ path: String) throws -> JSONValue {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        guard let node = try Yams.compose(yaml: text) else { throw KeelError(.invalidValue, "\(path) is empty.") }
        return try YAMLJSON.value(node, file: path)
    }
}
