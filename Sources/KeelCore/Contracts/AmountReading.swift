import Foundation

/// An amount read as records write it — `€1.234,50`, `1,234.50 USD`, `USD 1234.5`, `1 234,50 €`,
/// `$1,234`, `(12.00)`, `-12,5` — as a number and the currency its symbol or code names.
///
/// Separators: with both `.` and `,`, the last is the decimal one; with one kind only, it groups
/// thousands when every group after the first has three digits and either it repeats or `decimal`
/// says so, and is decimal otherwise (`1,5` is 1.5, `1,234` is 1234, `1.234.567` is 1234567).
public struct AmountReading: Sendable, Hashable {
    /// The decimal separator when one lone separator followed by three digits is ambiguous
    /// (`1.234`): `nil` reads it as grouping, as most intake data means it.
    public var decimal: Character?

    public init(decimal: Character? = nil) { self.decimal = decimal }

    /// The currencies symbols name; `$` and `kr` name a family, resolved by the record's currency.
    static let symbols: [(symbol: String, currencies: [String])] = [
        ("US$", ["USD"]), ("C$", ["CAD"]), ("CA$", ["CAD"]), ("A$", ["AUD"]), ("AU$", ["AUD"]), ("NZ$", ["NZD"]), ("HK$", ["HKD"]),
        ("S$", ["SGD"]), ("R$", ["BRL"]), ("MX$", ["MXN"]), ("€", ["EUR"]), ("£", ["GBP"]), ("¥", ["JPY", "CNY"]), ("₹", ["INR"]),
        ("₽", ["RUB"]), ("₩", ["KRW"]), ("₺", ["TRY"]), ("₴", ["UAH"]), ("₪", ["ILS"]), ("₫", ["VND"]), ("฿", ["THB"]), ("₱", ["PHP"]),
        ("zł", ["PLN"]), ("Kč", ["CZK"]), ("Fr.", ["CHF"]), ("kr", ["SEK", "NOK", "DKK", "ISK"]),
        ("$", ["USD", "CAD", "AUD", "NZD", "HKD", "SGD", "MXN", "ARS", "CLP", "COP"]),
    ]

    static let symbolsLongestFirst = symbols.sorted { $0.symbol.count > $1.symbol.count }

    /// A read amount: the number, and the currency its text names, if it names one.
    public struct Reading: Sendable, Hashable {
        public var value: Double
        /// The currencies the text allows: one for a code or a specific symbol, several for `$`.
        public var currencies: [String]
    }

    public func read(_ text: String) throws(FieldFailure) -> Reading {
        var rest = text.trimmingCharacters(in: .whitespaces)
        var negative = false
        if rest.hasPrefix("("), rest.hasSuffix(")") {
            negative = true
            rest = String(rest.dropFirst().dropLast())
        }
        var currencies: [String] = []
        // A three-letter code before or after the number.
        if let code = rest.range(of: #"^[A-Za-z]{3}(?=[\s\d\-+.,$€£¥])|(?<=[\s\d.,])[A-Za-z]{3}$"#, options: .regularExpression) {
            let upper = rest[code].uppercased()
            guard Self.isCurrencyCode(upper) else { throw FieldFailure(.invalidAmount, "names no currency Keel knows") }
            currencies = [upper]
            rest.removeSubrange(code)
        }
        for (symbol, named) in Self.symbolsLongestFirst {
            guard let range = rest.range(of: symbol, options: .caseInsensitive) else { continue }
            if !currencies.isEmpty, Set(currencies).isDisjoint(with: named) {
                throw FieldFailure(.currencyConflict, "has a symbol and a code of different currencies")
            }
            if currencies.isEmpty { currencies = named }
            rest.removeSubrange(range)
            break
        }
        rest = rest.trimmingCharacters(in: .whitespaces)
        if rest.hasPrefix("-") || rest.hasPrefix("−") {
            negative.toggle()
            rest.removeFirst()
        } else if rest.hasPrefix("+") {
            rest.removeFirst()
        }
        // Grouping by spaces (also no-break and thin ones) and apostrophes.
        rest.removeAll { $0 == " " || $0 == "\u{00A0}" || $0 == "\u{202F}" || $0 == "\u{2009}" || $0 == "'" || $0 == "’" }
        guard !rest.isEmpty, rest.allSatisfy({ $0.isASCIIDigit || $0 == "." || $0 == "," }), rest.first!.isASCIIDigit || rest.first == "." else {
            throw FieldFailure(.invalidAmount, "is not an amount")
        }
        guard let digits = plain(rest), let value = Double(digits) else { throw FieldFailure(.invalidAmount, "is not an amount") }
        return Reading(value: negative ? -value : value, currencies: currencies)
    }

    /// The digits with `.` as the only, decimal, separator; `nil` when the separators make no number.
    func plain(_ text: String) -> String? {
        // Thousands (1,234,567) or, with commas, the Indian lakh and crore (12,34,567: twos, then a three).
        func groupsOfThree(_ part: Substring, by separator: Character) -> Bool {
            let groups = part.split(separator: separator, omittingEmptySubsequences: false)
            guard groups.count > 1, groups.last?.count == 3 else { return false }
            if (1...3).contains(groups[0].count) && groups.dropFirst().allSatisfy({ $0.count == 3 }) { return true }
            return separator == "," && (1...2).contains(groups[0].count) && groups.dropFirst().dropLast().allSatisfy { $0.count == 2 }
        }
        let dots = text.count { $0 == "." }
        let commas = text.count { $0 == "," }
        var decimalSeparator: Character?
        if dots > 0, commas > 0 {
            // The last separator is the decimal one; it comes once, and the other groups thousands before it.
            let last = text.last { $0 == "." || $0 == "," }!
            let grouping: Character = last == "." ? "," : "."
            let parts = text.split(separator: last, omittingEmptySubsequences: false)
            guard parts.count == 2, groupsOfThree(parts[0], by: grouping) else { return nil }
            decimalSeparator = last
        } else if dots + commas > 0 {
            let separator: Character = dots > 0 ? "." : ","
            let count = max(dots, commas)
            let grouped = groupsOfThree(Substring(text), by: separator)
            if count > 1 {
                guard grouped else { return nil }
            } else if !grouped || decimal == separator {
                decimalSeparator = separator
            }
        }
        return String(
            text.compactMap { character -> Character? in
                if character == decimalSeparator { return "." }
                return character.isASCIIDigit ? character : nil
            }
        )
    }

    static func isCurrencyCode(_ code: String) -> Bool { Locale.commonISOCurrencyCodes.contains(code) }
}
