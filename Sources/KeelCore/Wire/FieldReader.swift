/// Reads typed fields out of a JSON object, turning every mismatch into a ``KeelError`` that
/// names the field (`param`) the way OpenAI does.
struct FieldReader {
    let object: JSONObject
    /// Dotted path of `object` inside the request, empty at the top.
    let path: String

    init(_ object: JSONObject, path: String = "") {
        self.object = object
        self.path = path
    }

    /// A reader of a request body, which must be a JSON object.
    init(body: JSONValue) throws(KeelError) {
        guard let object = body.objectValue else {
            throw KeelError(.invalidRequest, "The request body must be a JSON object, but got \(body.typeDescription).")
        }
        self.init(object)
    }

    func param(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func value(_ key: String) -> JSONValue? {
        guard let value = object[key], !value.isNull else { return nil }
        return value
    }

    func required<T>(_ key: String, _ expected: String, _ read: (JSONValue) -> T?) throws(KeelError) -> T {
        guard let raw = value(key) else {
            throw KeelError(.missingField, "Missing required parameter: '\(param(key))'.", param: param(key))
        }
        guard let typed = read(raw) else { throw typeError(key, expected, raw) }
        return typed
    }

    func optional<T>(_ key: String, _ expected: String, _ read: (JSONValue) -> T?) throws(KeelError) -> T? {
        guard let raw = value(key) else { return nil }
        guard let typed = read(raw) else { throw typeError(key, expected, raw) }
        return typed
    }

    func typeError(_ key: String, _ expected: String, _ raw: JSONValue) -> KeelError {
        KeelError(
            .invalidType,
            "Invalid type for '\(param(key))': expected \(expected), but got \(raw.typeDescription).",
            param: param(key)
        )
    }

    func invalid(_ key: String, _ message: String) -> KeelError {
        KeelError(.invalidValue, "Invalid value for '\(param(key))': \(message)", param: param(key))
    }

    func string(_ key: String) throws(KeelError) -> String? { try optional(key, "a string") { $0.stringValue } }
    func bool(_ key: String) throws(KeelError) -> Bool? { try optional(key, "a boolean") { $0.boolValue } }
    func number(_ key: String) throws(KeelError) -> Double? { try optional(key, "a number") { $0.doubleValue } }
    func object(_ key: String) throws(KeelError) -> JSONObject? { try optional(key, "an object") { $0.objectValue } }
    func array(_ key: String) throws(KeelError) -> [JSONValue]? { try optional(key, "an array") { $0.arrayValue } }

    func number(_ key: String, in range: ClosedRange<Double>) throws(KeelError) -> Double? {
        guard let value = try number(key) else { return nil }
        guard range.contains(value) else {
            throw invalid(key, "\(value) is not between \(range.lowerBound) and \(range.upperBound).")
        }
        return value
    }

    /// An integer in `range`; a whole number outside it (however large) is an invalid value, not a crash.
    func integer(_ key: String, in range: ClosedRange<Int>) throws(KeelError) -> Int? {
        guard let raw = value(key) else { return nil }
        let outOfRange = invalid(key, "\(raw.jsonString) is not between \(range.lowerBound) and \(range.upperBound).")
        if let integer = raw.integerValue {
            guard integer >= Int64(range.lowerBound), integer <= Int64(range.upperBound) else { throw outOfRange }
            return Int(integer)
        }
        if let number = raw.doubleValue, number.isFinite, number.rounded() == number { throw outOfRange }
        throw typeError(key, "an integer", raw)
    }
}
