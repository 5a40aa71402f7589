/// One value kept out of what Keel stores, as the log and the audit trail record it: its type,
/// what the route did with it and where it was — a field (`messages.2.content`, `response`,
/// `metadata.note`) and `[start, end)` in its Unicode code points. Never the value.
public struct PIIRedaction: Sendable, Hashable {
    public var type: PIIType
    public var action: PIIPolicy.Action
    public var field: String
    public var start: Int
    public var end: Int

    public init(type: PIIType, action: PIIPolicy.Action, field: String, start: Int, end: Int) {
        self.type = type
        self.action = action
        self.field = field
        self.start = start
        self.end = end
    }

    public var json: JSONValue {
        .object(
            JSONObject([
                ("type", .string(type.rawValue)), ("action", .string(action.rawValue)), ("field", .string(field)),
                ("start", JSONValue(start)), ("end", JSONValue(end)),
            ])
        )
    }

    /// The redaction `value` describes, as ``json`` writes it; `nil` when it is not one.
    public init?(json value: JSONValue) {
        guard let object = value.objectValue, let type = object["type"]?.stringValue,
            let action = object["action"]?.stringValue.flatMap(PIIPolicy.Action.init(rawValue:)),
            let field = object["field"]?.stringValue, let start = object["start"]?.integerValue, let end = object["end"]?.integerValue
        else { return nil }
        self.init(type: PIIType(rawValue: type), action: action, field: field, start: Int(start), end: Int(end))
    }
}

extension [PIIRedaction] {
    /// How many values of each type were redacted.
    public var countsByType: [PIIType: Int] { reduce(into: [:]) { $0[$1.type, default: 0] += 1 } }
}
