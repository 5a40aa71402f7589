import Foundation

/// A route's input contract (its `contract` section): what the structured input of a request —
/// the prompt's `variables`, or `metadata` — must be, and how messy intake data is made so first.
///
/// ```yaml
/// contract:
///   input: variables                # or metadata
///   strings: [nfkc, trim]           # steps every string gets first (the default)
///   null_markers: ["N/A", "-", ""]  # strings that mean "no value" (these and a few more by default)
///   maps: { segments: { Gold: vip, Platinum: vip } }
///   versions:                       # old records are upgraded step by step to the current version
///     field: schema_version         # where a record says its version (absent: `missing`)
///     current: 2
///     missing: 1
///     upgrades: [{ from: 1, rename: { cust: customer_id }, values: { status: { A: active } }, steps: { opened: [{ date: { order: MDY } }] }, set: {}, drop: [fax] }]
///   fields:                         # each field's steps, in order
///     country: [country]
///     amount: [{ amount: { currency_field: currency } }]
///     phone: [{ phone: { country_field: country } }]
///     birth_date: [{ date: { except: { field: country, in: [US], order: MDY }, two_digit_year: { age: [18, 99] } } }]
///   missing: { phone: null, email: quarantine, customer_id: reject, channel: { default: web } }
///   schema: { type: object, required: [customer_id, amount], properties: {...} }   # JSON Schema 2020-12, of the normalised record
///   dedupe: { key: [customer_id, claim_id], hours: 720 }   # a resend of the same record is not accepted twice
///   quarantine: true                # an invalid record is kept with its reasons, for a fix and a replay
/// ```
public struct InputContract: Sendable, Hashable {
    public enum Input: String, Sendable, Hashable {
        case variables, metadata
    }

    /// What a field's value becomes when it is missing or null.
    public enum Missing: Sendable, Hashable {
        /// Kept, as null.
        case null
        case value(JSONValue)
        case quarantine
        case reject
    }

    /// One version's step to the next.
    public struct Upgrade: Sendable {
        public var from: Int
        public var rename: [(old: String, new: String)]
        public var values: [String: FieldStep]
        public var steps: [String: [FieldStep]]
        public var set: JSONObject
        public var drop: [String]
    }

    public struct Versions: Sendable {
        public var field: String
        public var current: Int
        public var missing: Int
        public var upgrades: [Upgrade]
    }

    public struct Dedupe: Sendable, Hashable {
        public var key: [String]
        public var hours: Double
    }

    public var input: Input
    public var strings: [FieldStep]
    public let nullMarkers: Set<String>
    /// The longest marker's length in bytes with room for spaces around it: a longer value is no marker.
    let longestNullMarker: Int
    public var versions: Versions?
    public var fields: [(name: String, steps: [FieldStep])]
    public var missing: [String: Missing]
    public var schema: JSONSchema?
    public var dedupe: Dedupe?
    public var quarantine: Bool

    /// The contract as configuration wrote it: two contracts are equal when written the same.
    public let source: JSONValue

    public static func == (a: InputContract, b: InputContract) -> Bool { a.source == b.source }
    public func hash(into hasher: inout Hasher) { hasher.combine(source) }

    public static let defaultNullMarkers: Set<String> = ["", "-", "--", "n/a", "na", "null", "none", "nil", "?", "unknown", "#n/a"]

    static let keys: Set<String> = ["input", "strings", "null_markers", "maps", "versions", "fields", "missing", "schema", "dedupe", "quarantine"]

    public init(json value: JSONValue, path: String) throws(KeelError) {
        guard let object = value.objectValue else { throw KeelError(.invalidType, "A contract is an object.", param: path) }
        source = value
        let reader = FieldReader(object, path: path)
        if let unknown = object.keys.first(where: { !Self.keys.contains($0) }) {
            throw reader.invalid(unknown, "is not a contract setting (\(Self.keys.sorted().joined(separator: ", "))).")
        }
        input =
            try reader.string("input").map { text throws(KeelError) in
                guard let input = Input(rawValue: text) else { throw reader.invalid("input", "is variables or metadata.") }
                return input
            } ?? .variables
        var maps: [String: JSONObject] = [:]
        for entry in try reader.object("maps")?.entries ?? [] {
            guard let table = entry.value.objectValue else { throw reader.invalid("maps.\(entry.key)", "is an object of values.") }
            maps[entry.key] = table
        }
        func steps(_ value: JSONValue, _ place: String) throws(KeelError) -> [FieldStep] {
            let items = value.arrayValue ?? [value]
            var steps: [FieldStep] = []
            for (index, item) in items.enumerated() { steps.append(try FieldStep(json: item, maps: maps, path: "\(place).\(index)")) }
            return steps
        }
        strings = try reader.value("strings").map { value throws(KeelError) in try steps(value, reader.param("strings")) } ?? [.nfkc, .trim]
        let markers = try reader.array("null_markers").map {
            Set($0.compactMap { $0.stringValue?.trimmingCharacters(in: .whitespaces).lowercased() })
        }
        nullMarkers = markers ?? Self.defaultNullMarkers
        longestNullMarker = (nullMarkers.map(\.utf8.count).max() ?? 0) + 8
        fields = []
        for entry in try reader.object("fields")?.entries ?? [] {
            fields.append((entry.key, try steps(entry.value, reader.param("fields.\(entry.key)"))))
        }
        missing = [:]
        for entry in try reader.object("missing")?.entries ?? [] {
            let place = reader.param("missing.\(entry.key)")
            switch entry.value {
            case .null, .string("null"): missing[entry.key] = .null
            case .string("quarantine"): missing[entry.key] = .quarantine
            case .string("reject"): missing[entry.key] = .reject
            case .object(let given) where given.count == 1 && given["default"] != nil: missing[entry.key] = .value(given["default"]!)
            default: throw KeelError(.invalidValue, "is null, quarantine, reject or { default: VALUE }.", param: place)
            }
        }
        if let given = try reader.object("versions") {
            let versionReader = FieldReader(given, path: reader.param("versions"))
            let current = try versionReader.integer("current", in: 1...10_000) ?? 1
            var upgrades: [Upgrade] = []
            for (index, item) in (try versionReader.array("upgrades") ?? []).enumerated() {
                let place = versionReader.param("upgrades.\(index)")
                guard let step = item.objectValue else { throw KeelError(.invalidType, "An upgrade is an object.", param: place) }
                let upgradeReader = FieldReader(step, path: place)
                let from = try upgradeReader.required("from", "an integer") { $0.integerValue.map(Int.init) }
                guard from < current else { throw upgradeReader.invalid("from", "is a version before the current one (\(current)).") }
                var values: [String: FieldStep] = [:]
                for entry in try upgradeReader.object("values")?.entries ?? [] {
                    guard let table = entry.value.objectValue else {
                        throw upgradeReader.invalid("values.\(entry.key)", "is an object of old and new values.")
                    }
                    values[entry.key] = .map(FieldStep.folded(table), strict: false)
                }
                var fieldSteps: [String: [FieldStep]] = [:]
                for entry in try upgradeReader.object("steps")?.entries ?? [] {
                    fieldSteps[entry.key] = try steps(entry.value, upgradeReader.param("steps.\(entry.key)"))
                }
                upgrades.append(
                    Upgrade(
                        from: from,
                        rename: try (upgradeReader.object("rename")?.entries ?? []).map { entry throws(KeelError) in
                            guard let new = entry.value.stringValue else {
                                throw upgradeReader.invalid("rename.\(entry.key)", "is the field's new name.")
                            }
                            return (entry.key, new)
                        },
                        values: values,
                        steps: fieldSteps,
                        set: try upgradeReader.object("set") ?? JSONObject(),
                        drop: (try upgradeReader.array("drop") ?? []).compactMap(\.stringValue)
                    )
                )
            }
            versions = Versions(
                field: try versionReader.string("field") ?? "schema_version",
                current: current,
                missing: try versionReader.integer("missing", in: 1...current) ?? current,
                upgrades: upgrades.sorted { $0.from < $1.from }
            )
        } else {
            versions = nil
        }
        schema = try reader.value("schema").map { source throws(KeelError) in
            do throws(KeelError) { return try JSONSchema(source) } catch {
                throw KeelError(error.code, "The contract's schema: \(error.message)", param: reader.param("schema"))
            }
        }
        if let given = try reader.object("dedupe") {
            let dedupeReader = FieldReader(given, path: reader.param("dedupe"))
            let key = try dedupeReader.required("key", "an array of field names") { $0.arrayValue?.compactMap(\.stringValue) }
            guard !key.isEmpty else { throw dedupeReader.invalid("key", "names at least one field.") }
            dedupe = Dedupe(key: key, hours: try dedupeReader.number("hours", in: 0.01...87_600) ?? 720)
        } else {
            dedupe = nil
        }
        quarantine = try reader.bool("quarantine") ?? false
    }
}
