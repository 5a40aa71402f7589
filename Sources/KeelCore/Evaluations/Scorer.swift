import Foundation

/// How an answer is judged against its case. Each is written as JSON (or YAML) with a `type`:
///
/// | type | passes when |
/// |---|---|
/// | `exact` | the answer, trimmed, is the expected text |
/// | `contains` | the answer contains the expected text (or `value`) |
/// | `regex` | the answer matches `pattern` (or the expected text as a pattern) |
/// | `json_valid` | the answer is JSON |
/// | `json_schema` | the answer is JSON valid against `schema` (the prompt's answer schema, unless given) |
/// | `json_field` | the answer's field at `path` equals the expected one's (or the expected value) |
/// | `numeric` | the answer's number (at `path`, or the whole answer) is within `tolerance` of the expected |
/// | `label` | the answer's label (at `path`, or the whole answer) is the expected one, ignoring case; reports a confusion matrix |
/// | `similarity` | the embeddings of answer and expected text, through `route`, have a cosine of at least `threshold` |
/// | `judge` | a model on `route`, given the `rubric`, says the answer passes |
public enum Scorer: Sendable, Hashable {
    case exact
    case contains(String?)
    case regex(String?)
    case jsonValid
    case jsonSchema(JSONValue?)
    case jsonField(String)
    case numeric(tolerance: Double, path: String?)
    case label(path: String?)
    case similarity(route: String, threshold: Double)
    case judge(route: String, rubric: String)

    /// The name of its score in results and reports: its `type`, with the path for `json_field`.
    public var name: String {
        if case .jsonField(let path) = self { return "json_field:\(path)" }
        return type
    }

    /// The scorer's `type`, as it is written.
    public var type: String {
        switch self {
        case .exact: "exact"
        case .contains: "contains"
        case .regex: "regex"
        case .jsonValid: "json_valid"
        case .jsonSchema: "json_schema"
        case .jsonField: "json_field"
        case .numeric: "numeric"
        case .label: "label"
        case .similarity: "similarity"
        case .judge: "judge"
        }
    }

    /// Whether scoring calls a model (and costs something).
    public var callsModel: Bool {
        switch self {
        case .similarity, .judge: true
        default: false
        }
    }

    static let types = ["exact", "contains", "regex", "json_valid", "json_schema", "json_field", "numeric", "label", "similarity", "judge"]

    /// Reads a scorer: an object with a `type`, or the bare type name of one without settings.
    public init(json value: JSONValue, path: String = "") throws(KeelError) {
        let object: JSONObject
        if let name = value.stringValue {
            object = JSONObject([("type", .string(name))])
        } else if let given = value.objectValue {
            object = given
        } else {
            throw KeelError(.invalidType, "A scorer is a type name or an object with a 'type'.", param: path.isEmpty ? nil : path)
        }
        let reader = FieldReader(object, path: path)
        let type = try reader.required("type", "a string") { $0.stringValue }
        let allowed: Set<String>
        switch type {
        case "exact", "json_valid":
            allowed = ["type"]
            self = type == "exact" ? .exact : .jsonValid
        case "contains":
            allowed = ["type", "value"]
            self = .contains(try reader.string("value"))
        case "regex":
            allowed = ["type", "pattern"]
            let pattern = try reader.string("pattern")
            if let pattern, (try? Regex(pattern)) == nil { throw reader.invalid("pattern", "'\(pattern)' is not a regular expression.") }
            self = .regex(pattern)
        case "json_schema":
            allowed = ["type", "schema"]
            let schema = reader.value("schema")
            if let schema {
                do { _ = try JSONSchema(schema) } catch { throw reader.invalid("schema", error.message) }
            }
            self = .jsonSchema(schema)
        case "json_field":
            allowed = ["type", "path"]
            self = .jsonField(try reader.required("path", "a string") { $0.stringValue })
        case "numeric":
            allowed = ["type", "tolerance", "path"]
            self = .numeric(tolerance: try reader.number("tolerance", in: 0...1e300) ?? 0, path: try reader.string("path"))
        case "label":
            allowed = ["type", "path"]
            self = .label(path: try reader.string("path"))
        case "similarity":
            allowed = ["type", "route", "threshold"]
            self = .similarity(
                route: try reader.required("route", "a string") { $0.stringValue },
                threshold: try reader.number("threshold", in: -1...1) ?? 0.8
            )
        case "judge":
            allowed = ["type", "route", "rubric"]
            self = .judge(
                route: try reader.required("route", "a string") { $0.stringValue },
                rubric: try reader.required("rubric", "a string") { $0.stringValue }
            )
        default:
            throw reader.invalid("type", "'\(type)' is not a scorer (\(Self.types.joined(separator: ", "))).")
        }
        if let unknown = object.keys.first(where: { !allowed.contains($0) }) {
            throw reader.invalid(unknown, "is not a setting of the \(type) scorer (\(allowed.sorted().joined(separator: ", "))).")
        }
    }

    /// The scorer as it is written.
    public var json: JSONValue {
        var object = JSONObject([("type", .string(type))])
        switch self {
        case .exact, .jsonValid: break
        case .contains(let value): if let value { object["value"] = .string(value) }
        case .regex(let pattern): if let pattern { object["pattern"] = .string(pattern) }
        case .jsonSchema(let schema): if let schema { object["schema"] = schema }
        case .jsonField(let path): object["path"] = .string(path)
        case .numeric(let tolerance, let path):
            object["tolerance"] = .double(tolerance)
            if let path { object["path"] = .string(path) }
        case .label(let path): if let path { object["path"] = .string(path) }
        case .similarity(let route, let threshold):
            object["route"] = .string(route)
            object["threshold"] = .double(threshold)
        case .judge(let route, let rubric):
            object["route"] = .string(route)
            object["rubric"] = .string(rubric)
        }
        return .object(object)
    }
}
