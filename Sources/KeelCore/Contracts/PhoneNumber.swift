import Foundation

/// A telephone number read as people write it (`+44 20 7946 0958`, `0044 …`, `(020) 7946-0958`,
/// `415.555.2671 ext. 12`) and written in E.164 (`+442079460958`): an international number by its
/// calling code, a national one by the record's country, its trunk prefix dropped. The national
/// number must be of one of the country's kinds of numbers, by length and pattern (libphonenumber's metadata).
public enum PhoneNumber {
    static let calling: [Int: [Country]] = Dictionary(grouping: Country.all.filter { $0.phone != nil }, by: { $0.phone!.code })
    /// Each country's kinds of numbers: their lengths and compiled patterns.
    static let kinds: [String: [(lengths: Set<Int>, pattern: NSRegularExpression)]] = {
        var compiled: [String: [(lengths: Set<Int>, pattern: NSRegularExpression)]] = [:]
        for country in Country.all {
            compiled[country.alpha2] = (country.phone?.kinds ?? []).compactMap { kind in
                (try? NSRegularExpression(pattern: "^(?:\(kind.pattern))$")).map { (kind.lengths, $0) }
            }
        }
        return compiled
    }()

    /// `text` in E.164; `country` (an ISO code) reads a national number. The error says why not.
    public static func e164(_ text: String, country: String?) throws(FieldFailure) -> String {
        var written = text
        // A label before the number ("Tel: ", "mobile."), and a note after it in parentheses ("(work)").
        if let range = written.range(of: #"^\s*(?i:tel|tel\.|phone|ph|mobile|mob|cell|fax|t|m)\s*[:.]\s*"#, options: .regularExpression) {
            written.removeSubrange(range)
        }
        if let range = written.range(of: #"\s*\([^)0-9]*[A-Za-z][^)0-9]*\)\s*$"#, options: .regularExpression) { written.removeSubrange(range) }
        // An extension is not part of the number.
        if let range = written.range(of: #"(?i)\s*(?:ext\.?|x|#)\s*\d{1,6}\s*$"#, options: .regularExpression) { written.removeSubrange(range) }
        let allowed = CharacterSet(charactersIn: "0123456789+()-. /\u{00A0}")
        guard !written.isEmpty, written.unicodeScalars.allSatisfy({ allowed.contains($0) || CharacterSet.whitespaces.contains($0) }) else {
            throw FieldFailure(.invalidPhone, "is not a telephone number")
        }
        var digits = written.filter(\.isASCIIDigit)
        let international = written.trimmingCharacters(in: .whitespaces).hasPrefix("+")
        if international || digits.hasPrefix("00") {
            if !international { digits.removeFirst(2) }
            return try self.international(digits)
        }
        guard let code = country, let home = Country.named(code), let phone = home.phone else {
            throw FieldFailure(.invalidPhone, "is a national number, and the record names no country to read it by")
        }
        // The countries sharing the calling code share the numbering plan (Italy and the Vatican, NANP).
        let plan = calling[phone.code] ?? [home]
        var national = digits
        if let trunk = phone.trunk, national.hasPrefix(trunk), !plan.contains(where: { valid(national, in: $0) }) {
            national.removeFirst(trunk.count)
        }
        guard plan.contains(where: { valid(national, in: $0) }) else { throw FieldFailure(.invalidPhone, "is not a valid number in \(home.alpha2)") }
        return "+\(phone.code)\(national)"
    }

    /// `digits` (a calling code and a national number) in E.164, if the number is valid for the code.
    static func international(_ digits: String) throws(FieldFailure) -> String {
        for length in 1...3 where digits.count > length {
            guard let code = Int(digits.prefix(length)), let countries = calling[code] else { continue }
            let national = String(digits.dropFirst(length))
            // NANP and others share a code: the number is valid if it is valid in one of them.
            if countries.contains(where: { valid(national, in: $0) }) { return "+\(code)\(national)" }
            // Some write the trunk prefix after the code too: +44 (0)20 ….
            if let trunk = countries.first?.phone?.trunk, national.hasPrefix(trunk),
                countries.contains(where: { valid(String(national.dropFirst(trunk.count)), in: $0) })
            {
                return "+\(code)\(national.dropFirst(trunk.count))"
            }
            throw FieldFailure(.invalidPhone, "is not a valid number for calling code +\(code)")
        }
        throw FieldFailure(.invalidPhone, "has no known calling code")
    }

    /// Whether `digits` (a number written without a calling code) is a national number of one of
    /// `countries`, its trunk prefix dropped; of any country when `countries` is `nil`.
    static func isNational(_ digits: String, in countries: [Country]?) -> Bool {
        for country in countries ?? Country.all {
            guard let phone = country.phone else { continue }
            if valid(digits, in: country) { return true }
            if let trunk = phone.trunk, digits.hasPrefix(trunk), valid(String(digits.dropFirst(trunk.count)), in: country) { return true }
        }
        return false
    }

    /// Whether `national` is a number of one of the country's kinds, as libphonenumber's `is_valid_number` has it.
    static func valid(_ national: String, in country: Country) -> Bool {
        (kinds[country.alpha2] ?? []).contains { kind in
            kind.lengths.contains(national.count)
                && kind.pattern.firstMatch(in: national, range: NSRange(location: 0, length: national.utf16.count)) != nil
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
