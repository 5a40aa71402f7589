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
        return try json(node, path: path)
    }

    private static func json(_ node: Node, path: String) throws -> JSONValue {
        switch node {
        case .mapping(let mapping):
            var object = JSONObject()
            for (key, value) in mapping {
                guard let name = key.string else { throw KeelError(.invalidValue, "\(path): a key must be text (line \(key.mark?.line ?? 0)).") }
                object[name] = try json(value, path: path)
            }
            return .object(object)
        case .sequence(let sequence):
            return .array(try sequence.map { try json($0, path: path) })
        case .scalar(let scalar):
            // Quoted text stays text; plain scalars are read as YAML reads them.
            if scalar.style == .plain {
                if node.null != nil { return .null }
                if let flag = node.bool { return .bool(flag) }
                if let integer = node.int { return .integer(Int64(integer)) }
                if let number = node.float { return .double(number) }
            }
            return .string(scalar.string)
        case .alias:
            throw KeelError(.invalidValue, "\(path): YAML aliases are not supported in prompt files.")
        }
    }
}
