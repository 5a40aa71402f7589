import Foundation

/// What a route does with the personal data in its requests (its `pii` section): which types it
/// looks for, and for each what it does. Every action keeps the value out of what Keel stores —
/// the log, traces, exports; `redact-upstream` also sends the model a stable placeholder instead
/// (the client gets its values back in the answer); `block` refuses the request.
///
/// ```yaml
/// pii:
///   actions: { default: redact-log, email: redact-upstream, phone: redact-upstream, card: block }
///   weak: true                  # also person names and postal addresses
///   min_score: 0.6
///   custom: { employee_id: { pattern: 'EMP-\d{6}', context: [employee] } }
/// ```
public struct PIIPolicy: Sendable, Hashable {
    public enum Action: String, Sendable, Hashable, CaseIterable {
        case redactLog = "redact-log"
        case redactUpstream = "redact-upstream"
        case block
    }

    public var detector: PIIDetector
    public var actions: [PIIType: Action]
    public var defaultAction: Action
    private var source: JSONValue

    static let keys: Set<String> = ["actions", "weak", "min_score", "custom", "phone_regions"]

    public init(json value: JSONValue, path: String) throws(KeelError) {
        guard let object = value.objectValue else { throw KeelError(.invalidType, "A PII policy is an object.", param: path) }
        let reader = FieldReader(object, path: path)
        if let unknown = object.keys.first(where: { !Self.keys.contains($0) }) {
            throw reader.invalid(unknown, "is not a PII setting (\(Self.keys.sorted().joined(separator: ", "))).")
        }
        var types = Set(PIIType.structured)
        if try reader.bool("weak") == true { types.formUnion(PIIType.weak) }
        var custom: [PIIDetector.CustomType] = []
        for entry in try reader.object("custom")?.entries ?? [] {
            let place = reader.param("custom.\(entry.key)")
            guard let spec = entry.value.objectValue else { throw KeelError(.invalidType, "A custom type is an object.", param: place) }
            let fields = FieldReader(spec, path: place)
            let pattern = try fields.required("pattern", "a regular expression") { $0.stringValue }
            guard let expression = try? NSRegularExpression(pattern: pattern) else { throw fields.invalid("pattern", "is not a regular expression.") }
            let validator = try fields.string("validator").map { name throws(KeelError) in
                guard let known = PIIDetector.CustomType.Validator(rawValue: name) else { throw fields.invalid("validator", "is luhn or mod97.") }
                return known
            }
            let context = try fields.array("context")?.compactMap(\.stringValue) ?? []
            let type = PIIType(rawValue: entry.key)
            custom.append(
                PIIDetector.CustomType(
                    type: type,
                    pattern: expression,
                    validator: validator,
                    context: context,
                    score: try fields.number("score", in: 0...1) ?? 0.8
                )
            )
            types.insert(type)
        }
        var regions: [Country]?
        if let names = try reader.array("phone_regions") {
            regions = try names.enumerated().map { index, name throws(KeelError) in
                guard let code = name.stringValue, let country = Country.named(code) else {
                    throw reader.invalid("phone_regions.\(index)", "is not a country.")
                }
                return country
            }
        }
        detector = PIIDetector(types: types, custom: custom, minimumScore: try reader.number("min_score", in: 0...1) ?? 0.5, phoneRegions: regions)
        actions = [:]
        defaultAction = .redactLog
        for entry in try reader.object("actions")?.entries ?? [] {
            guard let name = entry.value.stringValue, let action = Action(rawValue: name) else {
                throw reader.invalid("actions.\(entry.key)", "is redact-log, redact-upstream or block.")
            }
            if entry.key == "default" {
                defaultAction = action
            } else {
                guard types.contains(PIIType(rawValue: entry.key)) else {
                    throw reader.invalid("actions.\(entry.key)", "is not a type the route looks for.")
                }
                actions[PIIType(rawValue: entry.key)] = action
            }
        }
        source = value
    }

    public func action(for type: PIIType) -> Action { actions[type] ?? defaultAction }

    /// `text` with every finding replaced by its type's mark (`[EMAIL]`): what Keel may store.
    public func redacted(_ text: String) -> String { redacting(text, field: "").text }

    /// `text` masked as ``redacted(_:)`` masks it, and what was masked, as found in `field`.
    public func redacting(_ text: String, field: String) -> (text: String, redactions: [PIIRedaction]) {
        let found = detector.scan(text)
        guard !found.isEmpty else { return (text, []) }
        var bytes = Array(text.utf8)
        for finding in found.reversed() { bytes.replaceSubrange(finding.bytes, with: Array("[\(finding.type.rawValue.uppercased())]".utf8)) }
        let redactions = found.map { PIIRedaction(type: $0.type, action: action(for: $0.type), field: field, start: $0.start, end: $0.end) }
        return (String(decoding: bytes, as: UTF8.self), redactions)
    }

    /// `value` with every string in it masked, and what was masked, each string's field named by
    /// its path from `field` (`choices.0.message.content`).
    public func redacting(_ value: JSONValue, field: String) -> (value: JSONValue, redactions: [PIIRedaction]) {
        var redactions: [PIIRedaction] = []
        func walk(_ value: JSONValue, _ path: String) -> JSONValue {
            func inner(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
            switch value {
            case .string(let text):
                let masked = redacting(text, field: path)
                redactions += masked.redactions
                return .string(masked.text)
            case .array(let items): return .array(items.enumerated().map { walk($1, inner(String($0))) })
            case .object(let object): return .object(JSONObject(object.entries.map { ($0.key, walk($0.value, inner($0.key))) }))
            default: return value
            }
        }
        return (walk(value, field), redactions)
    }

    /// `object` masked as ``redacting(_:field:)-(JSONValue,_)`` masks a value.
    public func redacting(_ object: JSONObject, field: String) -> (object: JSONObject, redactions: [PIIRedaction]) {
        let masked = redacting(.object(object), field: field)
        return (masked.value.objectValue ?? object, masked.redactions)
    }

    public static func == (lhs: PIIPolicy, rhs: PIIPolicy) -> Bool { lhs.source == rhs.source }
    public func hash(into hasher: inout Hasher) { hasher.combine(source) }
}
