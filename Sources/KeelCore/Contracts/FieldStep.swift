import Foundation

/// One normalising step of a contract's field, as configuration writes it: a name (`trim`, `nfkc`,
/// `lower`, `upper`, `title`, `country`, `number`, `integer`, `boolean`) or an object of one key
/// (`{ map: NAME }`, `{ date: {...} }`, `{ amount: {...} }`, `{ phone: {...} }`). A step may read
/// other fields of the record (the country a phone number or a date is read by) and write them
/// (the currency an amount's symbol names).
public enum FieldStep: Sendable, Hashable {
    /// Whitespace trimmed, and runs of it inside made one space.
    case trim
    /// Unicode NFKC (full-width letters, ligatures, no-break spaces made plain) without invisible
    /// characters (zero-width ones, direction marks, soft hyphens, controls).
    case nfkc
    case lower, upper
    /// Each word capitalised (words begin after a space or a hyphen), the rest lower case.
    case title
    /// A country's name or code as its ISO 3166-1 alpha-2 code.
    case country
    case number, integer, boolean
    /// Values mapped (trimmed, in any case) by a table; `strict` refuses an unmapped one.
    case map([String: JSONValue], strict: Bool)
    /// A date as ISO 8601, in an order that may depend on another field (`except`).
    case date(DateReading, except: OrderException?)
    /// An amount as a number; the currency its text names goes to `currencyField`, which it must agree with.
    case amount(AmountReading, currencyField: String?)
    /// A telephone number as E.164, a national one read by the record's country (or `defaultCountry`).
    case phone(countryField: String?, defaultCountry: String?)

    /// Records whose `field` is one of `values` (a country, say) write dates in `order`.
    public struct OrderException: Sendable, Hashable {
        public var field: String
        public var values: Set<String>
        public var order: DateReading.Order
    }

    /// Reads a step; `maps` are the contract's named value maps.
    public init(json value: JSONValue, maps: [String: JSONObject], path: String) throws(KeelError) {
        if let name = value.stringValue {
            switch name {
            case "trim": self = .trim
            case "nfkc": self = .nfkc
            case "lower": self = .lower
            case "upper": self = .upper
            case "title": self = .title
            case "country": self = .country
            case "number": self = .number
            case "integer": self = .integer
            case "boolean": self = .boolean
            default:
                throw KeelError(
                    .invalidValue,
                    "'\(name)' is not a step (trim, nfkc, lower, upper, title, country, number, integer, boolean, or { map | date | amount | phone: … }).",
                    param: path
                )
            }
            return
        }
        guard let object = value.objectValue, let kind = ["map", "date", "amount", "phone"].first(where: { object[$0] != nil }),
            let options = object[kind], object.keys.allSatisfy({ $0 == kind || (kind == "map" && $0 == "strict") })
        else {
            throw KeelError(
                .invalidType,
                "A step is a name, or one of { map: NAME, strict: true }, { date: {...} }, { amount: {...} }, { phone: {...} }.",
                param: path
            )
        }
        let place = "\(path).\(kind)"
        let reader = FieldReader(options.objectValue ?? JSONObject(), path: place)
        switch kind {
        case "map":
            let table: JSONObject
            if let name = options.stringValue {
                guard let named = maps[name] else { throw KeelError(.invalidValue, "names no map of the contract's 'maps'.", param: place) }
                table = named
            } else if let inline = options.objectValue {
                table = inline
            } else {
                throw KeelError(.invalidType, "A map step names one of the contract's maps, or is one.", param: place)
            }
            guard object["strict"] == nil || object["strict"]?.boolValue != nil else {
                throw KeelError(.invalidType, "'strict' is a boolean.", param: "\(path).strict")
            }
            self = .map(Self.folded(table), strict: object["strict"]?.boolValue ?? false)
        case "date":
            let order = try reader.string("order").map { text throws(KeelError) in
                guard let order = DateReading.Order(rawValue: text) else { throw reader.invalid("order", "is DMY or MDY.") }
                return order
            }
            var century = DateReading.Century.pivot(70)
            if let rule = try reader.object("two_digit_year") {
                let ruleReader = FieldReader(rule, path: reader.param("two_digit_year"))
                if let pivot = try ruleReader.integer("pivot", in: 0...99) {
                    century = .pivot(pivot)
                } else if let ages = try ruleReader.array("age"), ages.count == 2, let low = ages[0].integerValue.map(Int.init),
                    let high = ages[1].integerValue.map(Int.init),
                    low >= 0, high >= low, high - low < 100
                {
                    century = .age(low...high)
                } else {
                    throw reader.invalid("two_digit_year", "write { pivot: 70 } or { age: [18, 99] } (a range under a century).")
                }
            }
            var except: OrderException?
            if let rule = try reader.object("except") {
                let ruleReader = FieldReader(rule, path: reader.param("except"))
                let field = try ruleReader.required("field", "a string") { $0.stringValue }
                let values = try ruleReader.required("in", "an array of strings") { (value: JSONValue) in
                    value.arrayValue?.compactMap { $0.stringValue }
                }
                let order = try ruleReader.required("order", "DMY or MDY") { $0.stringValue.flatMap(DateReading.Order.init(rawValue:)) }
                except = OrderException(field: field, values: Set(values.map { $0.uppercased() }), order: order)
            }
            self = .date(DateReading(order: order ?? .dayFirst, century: century), except: except)
        case "amount":
            let decimal = try reader.string("decimal")
            guard decimal == nil || decimal == "." || decimal == "," else { throw reader.invalid("decimal", "is \".\" or \",\".") }
            self = .amount(AmountReading(decimal: decimal?.first), currencyField: try reader.string("currency_field"))
        case "phone":
            let fallback = try reader.string("default_country")
            if let fallback, Country.named(fallback) == nil { throw reader.invalid("default_country", "is not a country.") }
            self = .phone(countryField: try reader.string("country_field"), defaultCountry: fallback)
        default:
            throw KeelError(.invalidValue, "'\(kind)' is not a step (map, date, amount, phone).", param: path)
        }
    }

    /// Whether `text` has no whitespace at its ends, and none inside but single spaces (ASCII seen
    /// byte by byte; anything else is left to the full trim).
    static func isTrimmed(_ text: String) -> Bool {
        var previousSpace = true
        for byte in text.utf8 {
            if byte >= 0x80 || byte < 0x20 { return false }
            if byte == 0x20 {
                if previousSpace { return false }
                previousSpace = true
            } else {
                previousSpace = false
            }
        }
        return !previousSpace || text.isEmpty
    }

    static func folded(_ table: JSONObject) -> [String: JSONValue] {
        var folded: [String: JSONValue] = [:]
        for entry in table.entries { folded[entry.key.trimmingCharacters(in: .whitespaces).lowercased()] = entry.value }
        return folded
    }

    static let invisible: Set<Unicode.Scalar> = Set(
        [0x00AD, 0x180E, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xFEFF].compactMap(Unicode.Scalar.init)
            + (0x202A...0x202E).compactMap(Unicode.Scalar.init) + (0x2066...0x2069).compactMap(Unicode.Scalar.init)
    )

    /// The step applied to `field` of `record`; a missing or null value is left alone.
    public func apply(to record: inout JSONObject, field: String, today: Date) throws(FieldFailure) {
        guard let value = record[field], !value.isNull else { return }
        func text() throws(FieldFailure) -> String {
            if let string = value.stringValue { return string }
            if let number = value.doubleValue { return value.integerValue.map(String.init) ?? String(number) }
            throw FieldFailure(.invalidValue, "is \(value.typeDescription), not text")
        }
        switch self {
        case .trim:
            guard let string = value.stringValue, !Self.isTrimmed(string) else { return }
            record[field] = .string(string.split(whereSeparator: { $0.isWhitespace }).joined(separator: " "))
        case .nfkc:
            // Printable ASCII is its own NFKC and has nothing invisible: most values are, and skip the work.
            guard let string = value.stringValue, !string.utf8.allSatisfy({ (0x20..<0x7F).contains($0) }) else { return }
            let plain = string.precomposedStringWithCompatibilityMapping.unicodeScalars.filter { scalar in
                !Self.invisible.contains(scalar) && (scalar.properties.generalCategory != .control || scalar == "\n" || scalar == "\t")
            }
            record[field] = .string(String(String.UnicodeScalarView(plain)))
        case .lower:
            if let string = value.stringValue { record[field] = .string(string.lowercased()) }
        case .upper:
            if let string = value.stringValue { record[field] = .string(string.uppercased()) }
        case .title:
            // Each word (after a space or a hyphen) capitalised, the rest lower case: "jean-luc o'brien" is "Jean-Luc O'brien".
            if let string = value.stringValue {
                var titled = ""
                var startsWord = true
                for character in string {
                    titled += startsWord ? character.uppercased() : character.lowercased()
                    startsWord = character == " " || character == "-"
                }
                record[field] = .string(titled)
            }
        case .country:
            guard let country = Country.named(try text()) else { throw FieldFailure(.unknownCountry, "names no country") }
            record[field] = .string(country.alpha2)
        case .number:
            if value.doubleValue != nil, value.stringValue == nil { return }
            guard let number = Double(try text().trimmingCharacters(in: .whitespaces)), number.isFinite else {
                throw FieldFailure(.invalidValue, "is not a number")
            }
            record[field] = .double(number)
        case .integer:
            if value.integerValue != nil, value.stringValue == nil { return }
            let written = try text().trimmingCharacters(in: .whitespaces)
            guard let number = Int(written) ?? Double(written).flatMap({ $0.rounded() == $0 ? Int(exactly: $0) : nil }) else {
                throw FieldFailure(.invalidValue, "is not a whole number")
            }
            record[field] = JSONValue(number)
        case .boolean:
            if value.boolValue != nil { return }
            switch try text().trimmingCharacters(in: .whitespaces).lowercased() {
            case "true", "yes", "y", "1", "on", "t": record[field] = true
            case "false", "no", "n", "0", "off", "f": record[field] = false
            default: throw FieldFailure(.invalidValue, "is not yes or no")
            }
        case .map(let table, let strict):
            let key = try text().trimmingCharacters(in: .whitespaces).lowercased()
            if let mapped = table[key] {
                record[field] = mapped
            } else if strict {
                throw FieldFailure(.unmappedValue, "is not one of the mapped values")
            }
        case .date(let reading, let except):
            var reading = reading
            if let except, let other = record[except.field]?.stringValue, except.values.contains(other.uppercased()) { reading.order = except.order }
            record[field] = .string(try reading.iso(try text(), today: today))
        case .amount(let reading, let currencyField):
            if value.doubleValue != nil, value.stringValue == nil { return }
            let read = try reading.read(try text())
            record[field] = read.value.rounded() == read.value && abs(read.value) < 1e15 ? JSONValue(Int(read.value)) : .double(read.value)
            guard let currencyField else { return }
            let stated = record[currencyField]?.stringValue?.trimmingCharacters(in: .whitespaces).uppercased()
            if let stated, !stated.isEmpty {
                if !read.currencies.isEmpty, !read.currencies.contains(stated) {
                    throw FieldFailure(.currencyConflict, "has a currency symbol that contradicts '\(currencyField)'")
                }
                record[currencyField] = .string(stated)
            } else if let first = read.currencies.first {
                record[currencyField] = .string(first)
            }
        case .phone(let countryField, let defaultCountry):
            let country = countryField.flatMap { record[$0]?.stringValue } ?? defaultCountry
            record[field] = .string(try PhoneNumber.e164(try text(), country: country))
        }
    }
}
