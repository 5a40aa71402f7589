/// A variable a prompt takes: its name, the JSON type its value must have, and whether a request
/// may leave it out (it then renders as missing: empty text, a false section).
public struct PromptVariable: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case string, number, integer, boolean, array, object

        /// Whether `value` is of this type (an integer is a number too).
        func admits(_ value: JSONValue) -> Bool {
            switch (self, value) {
            case (.string, .string), (.boolean, .bool), (.array, .array), (.object, .object): true
            case (.number, .integer), (.number, .double): true
            case (.integer, .integer): true
            case (.integer, .double(let number)): number.rounded() == number && abs(number) < 9.0e18
            default: false
            }
        }
    }

    public var name: String
    public var kind: Kind
    public var required: Bool
    public var description: String?

    public init(name: String, kind: Kind = .string, required: Bool = true, description: String? = nil) {
        self.name = name
        self.kind = kind
        self.required = required
        self.description = description
    }
}
