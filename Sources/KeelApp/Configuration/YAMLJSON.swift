import KeelCore
import Yams

/// A YAML tree as JSON, for the parts of Keel's files that JSON readers define (prompts, a route's
/// evaluation): quoted text stays text, plain scalars are read as YAML reads them.
enum YAMLJSON {
    /// `node` as JSON; `file` names the file in errors.
    static func value(_ node: Node, file: String) throws(KeelError) -> JSONValue {
        switch node {
        case .mapping(let mapping):
            var object = JSONObject()
            for (key, value) in mapping {
                guard let name = key.string else { throw KeelError(.invalidValue, "\(file): a key must be text (line \(key.mark?.line ?? 0)).") }
                object[name] = try self.value(value, file: file)
            }
            return .object(object)
        case .sequence(let sequence):
            return .array(try sequence.map { item throws(KeelError) in try self.value(item, file: file) })
        case .scalar(let scalar):
            if scalar.style == .plain {
                if node.null != nil { return .null }
                if let flag = node.bool { return .bool(flag) }
                if let integer = node.int { return .integer(Int64(integer)) }
                if let number = node.float { return .double(number) }
            }
            return .string(scalar.string)
        case .alias:
            throw KeelError(.invalidValue, "\(file): YAML aliases are not supported here.")
        }
    }
}
