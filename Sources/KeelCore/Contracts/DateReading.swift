import Foundation

/// A date read as records write it — `2024-03-05`, `05/03/2024`, `5.3.24`, `March 5, 2024`,
/// `5 de marzo de 2024`, `5-Mar-2024`, `20240305`, `2024年3月5日`, an ISO date-time — and written as
/// ISO 8601 (`2024-03-05`). Numbers
/// that could be either day or month are read in ``order``; a two-digit year by ``century``.
public struct DateReading: Sendable, Hashable {
    public enum Order: String, Sendable, Hashable {
        case dayFirst = "DMY"
        case monthFirst = "MDY"
    }

    /// How a two-digit year gets its century.
    public enum Century: Sendable, Hashable {
        /// Years below the pivot are 20xx, the others 19xx (`{ pivot: 70 }`: 69 → 2069, 70 → 1970).
        case pivot(Int)
        /// The century that makes the date's age today fall in the range (a birth date of a person 18–99).
        case age(ClosedRange<Int>)
    }

    public var order: Order
    public var century: Century

    public init(order: Order = .dayFirst, century: Century = .pivot(70)) {
        self.order = order
        self.century = century
    }

    static let months: [String: Int] = {
        let names: [[String]] = [
            ["january", "jan", "janvier", "janv", "januar", "jän", "enero", "ene", "gennaio", "gen", "janeiro", "januari"],
            ["february", "feb", "février", "fevrier", "févr", "fevr", "februar", "febrero", "febbraio", "fevereiro", "fev", "februari"],
            ["march", "mar", "mars", "märz", "marz", "marzo", "março", "marco", "maart", "mrt"],
            ["april", "apr", "avril", "avr", "abril", "abr", "aprile"],
            ["may", "mai", "mayo", "maggio", "mag", "maio", "mei"],
            ["june", "jun", "juin", "juni", "junio", "giugno", "giu", "junho"],
            ["july", "jul", "juillet", "juil", "juli", "julio", "luglio", "lug", "julho"],
            ["august", "aug", "août", "aout", "agosto", "ago", "augustus"],
            ["september", "sep", "sept", "septembre", "septiembre", "settembre", "set", "setembro"],
            ["october", "oct", "octobre", "oktober", "okt", "octubre", "ottobre", "ott", "outubro", "out"],
            ["november", "nov", "novembre", "noviembre", "novembro"],
            ["december", "dec", "décembre", "decembre", "déc", "dezember", "dez", "diciembre", "dic", "dicembre", "dezembro"],
        ]
        var table: [String: Int] = [:]
        for (index, forms) in names.enumerated() { for form in forms { table[form] = index + 1 } }
        return table
    }()

    /// `text` as `YYYY-MM-DD`, reading two-digit years as of `today`.
    public func iso(_ text: String, today: Date) throws(FieldFailure) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        // A date-time keeps its date: 2024-03-05T10:00:00Z, 2024-03-05 10:00.
        let datePart = trimmed.split(whereSeparator: { $0 == "T" || $0 == " " }).first.map(String.init) ?? trimmed
        if datePart.count == 8, datePart.allSatisfy(\.isASCIIDigit), let value = Int(datePart) {
            return try Self.written(year: value / 10_000, month: value / 100 % 100, day: value % 100)
        }
        // Chinese, Japanese and Korean dates: 2024年3月5日, 2024년 3월 5일.
        if let match = trimmed.firstMatch(of: /^(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]?$/),
            let year = Int(match.1), let month = Int(match.2), let day = Int(match.3)
        {
            return try Self.written(year: year, month: month, day: day)
        }
        let tokens = trimmed.lowercased().split(whereSeparator: { " /-.,".contains($0) }).map { token in
            // Ordinals: 5th, 1st, 2nd, 3rd.
            token.count > 2 && ["st", "nd", "rd", "th"].contains(String(token.suffix(2))) && token.dropLast(2).allSatisfy(\.isASCIIDigit)
                ? String(token.dropLast(2)) : String(token)
        }
        if let month = tokens.lazy.compactMap({ Self.months[$0] }).first {
            // Textual month: the others are the day and the year, a four-digit or later one the year.
            let rest = tokens.filter { Self.months[$0] == nil }.compactMap { Int($0) }
            guard rest.count == 2 else { throw FieldFailure(.invalidDate, "is not a date") }
            let yearFirst = tokens.first.flatMap { Int($0) }.map { $0 > 31 } ?? false
            let (day, year) = yearFirst ? (rest[1], rest[0]) : (rest[0], rest[1])
            let yearText = yearFirst ? tokens.first! : tokens.last { Int($0) != nil }!
            return try Self.written(year: try fullYear(year, digits: yearText.count, month: month, day: day, today: today), month: month, day: day)
        }
        let parts = datePart.split(whereSeparator: { "/-.".contains($0) }).map(String.init)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }) else {
            throw FieldFailure(.invalidDate, "is not a date")
        }
        let values = parts.compactMap { Int($0) }
        if parts[0].count == 4 { return try Self.written(year: values[0], month: values[1], day: values[2]) }
        guard parts[2].count == 4 || parts[2].count == 2 else { throw FieldFailure(.invalidDate, "is not a date") }
        var (day, month) = order == .dayFirst ? (values[0], values[1]) : (values[1], values[0])
        // A number over 12 can only be the day.
        if month > 12, day <= 12 { (day, month) = (month, day) }
        return try Self.written(year: try fullYear(values[2], digits: parts[2].count, month: month, day: day, today: today), month: month, day: day)
    }

    func fullYear(_ year: Int, digits: Int, month: Int, day: Int, today: Date) throws(FieldFailure) -> Int {
        guard digits <= 2 else { return year }
        switch century {
        case .pivot(let pivot):
            return year < pivot ? 2000 + year : 1900 + year
        case .age(let range):
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let now = calendar.dateComponents([.year, .month, .day], from: today)
            let fits = [1900 + year, 2000 + year].filter { candidate in
                var age = now.year! - candidate
                if (now.month!, now.day!) < (month, day) { age -= 1 }
                return range.contains(age)
            }
            guard fits.count == 1 else {
                throw FieldFailure(.invalidDate, "has a two-digit year that no century makes an age of \(range.lowerBound)–\(range.upperBound)")
            }
            return fits[0]
        }
    }

    static func written(year: Int, month: Int, day: Int) throws(FieldFailure) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1,
            let first = calendar.date(from: DateComponents(year: year, month: month, day: 1)),
            let days = calendar.range(of: .day, in: .month, for: first), days.contains(day)
        else { throw FieldFailure(.invalidDate, "is not a date on the calendar") }
        return String(format: "%04d-%02d-%02d", year, month, day)
    }
}
