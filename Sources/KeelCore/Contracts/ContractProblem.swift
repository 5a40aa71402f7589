/// What is wrong with one field of a record (or the record itself, at field `""`): a JSON Pointer
/// to it, a code, and a message that names no value.
public struct ContractProblem: Sendable, Hashable {
    public enum Code: String, Sendable, Hashable {
        case invalidPayload = "invalid_payload"
        case unknownVersion = "unknown_version"
        case invalidValue = "invalid_value"
        case invalidDate = "invalid_date"
        case invalidAmount = "invalid_amount"
        case currencyConflict = "currency_conflict"
        case invalidPhone = "invalid_phone"
        case unknownCountry = "unknown_country"
        case unmappedValue = "unmapped_value"
        case missing
        case schema
        case duplicate
    }

    public var field: String
    public var code: Code
    public var message: String
    /// Whether the record is rejected for it even when the route quarantines: a duplicate, or a
    /// field the contract says rejects when missing.
    public var rejects: Bool

    public init(field: String, code: Code, message: String, rejects: Bool = false) {
        self.field = field
        self.code = code
        self.message = message
        self.rejects = rejects
    }

    public var json: JSONValue { ["field": .string(field), "code": .string(code.rawValue), "message": .string(message)] }
}

/// Why a normaliser could not read a value.
public struct FieldFailure: Error, Sendable, Hashable {
    public var code: ContractProblem.Code
    public var message: String

    public init(_ code: ContractProblem.Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
