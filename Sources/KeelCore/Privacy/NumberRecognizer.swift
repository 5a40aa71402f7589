/// Numbers written with digits and separators — payment cards, US social security numbers and
/// telephone numbers — each held to its own rules: a card to Luhn and its network's prefix and
/// length, an SSN to the numbers the SSA never issues, a phone number to its country's numbering
/// plan (an international one by its calling code; a national one only after a word such as
/// "phone" or "call", valid in one of `regions`, or in any country when it names none).
struct NumberRecognizer {
    var regions: [Country]?

    static let cardWords = ["card", "credit", "debit", "visa", "mastercard", "amex", "paid with", "charge"]
    static let phoneWords = ["phone", "tel", "call", "mobile", "cell", "ring", "fax", "whatsapp", "contact", "reach me", "text me", "dial"]
    static let ssnWords = ["ssn", "social security"]
    /// Words after which a number is a reference, not a person's: an order, a parcel, an invoice.
    static let referenceWords = ["order", "tracking", "invoice", "ref", "reference", "ticket", "case", "id", "build", "version", "isbn", "serial"]

    func find(in text: ScanText, types: Set<PIIType>, into found: inout [PIICandidate]) {
        var index = 0
        while index < text.count {
            let startsNumber =
                text.isDigit(index) || (text[index] == UInt8(ascii: "+") && text.isDigit(index + 1))
                || (text[index] == UInt8(ascii: "(") && text.isDigit(index + 1))
            guard startsNumber else {
                index += 1
                continue
            }
            // The rest of an identifier is skipped whole, so that none of its groups is read alone.
            guard !Self.continuesIdentifier(text, at: index) else {
                index = max(Self.tokenEnd(text, from: index), index + 1)
                continue
            }
            let end = Self.tokenEnd(text, from: index)
            defer { index = max(end, index + 1) }
            guard text.endsWord(end) else { continue }
            let digits = text.digits(index, end)
            if types.contains(.ssn), let score = ssn(text, index, end, digits) {
                found.append(PIICandidate(start: index, end: end, type: .ssn, score: score))
            } else if types.contains(.card), let score = card(text, index, end, digits) {
                found.append(PIICandidate(start: index, end: end, type: .card, score: score))
            } else if types.contains(.phone), let score = phone(text, index, end, digits) {
                found.append(PIICandidate(start: index, end: end, type: .phone, score: score))
            }
        }
    }

    /// Whether a number at `index` is part of something else: a word or a dotted number it follows
    /// (`v1.2`), an identifier it ends (`INV-2026`), or a code whose letters and digits come just
    /// before it (`AT26 5242 …`, an account number that failed its own checksum).
    static func continuesIdentifier(_ text: ScanText, at index: Int) -> Bool {
        guard index > 0 else { return false }
        let before = text[index - 1]
        if text.isWord(index - 1) || before == UInt8(ascii: ".") { return true }
        if before == UInt8(ascii: "-") || before == UInt8(ascii: "/") || before == UInt8(ascii: "#") && text.isWord(index - 2) {
            return text.isWord(index - 2)
        }
        guard before == UInt8(ascii: " ") else { return false }
        var start = index - 1
        while start > 0, text.isAlphanumeric(start - 1) { start -= 1 }
        let word = text.bytes[start..<(index - 1)]
        return word.contains(where: { (0x30...0x39).contains($0) })
            && word.contains(where: { (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) })
    }

    /// Whether a reference word (an order, an invoice) stands nearer before `start` than any of `words`.
    static func isReference(_ text: ScanText, before start: Int, over words: [String]) -> Bool {
        guard let reference = text.contextDistance(before: start, referenceWords, window: 24) else { return false }
        return reference < text.contextDistance(before: start, words) ?? Int.max
    }

    /// Where a number starting at `start` ends: digits with single separators between them
    /// (spaces, `-`, `.`, `/`, parentheses), ending with a digit.
    static func tokenEnd(_ text: ScanText, from start: Int) -> Int {
        var index = start
        var lastDigit = start
        var separators = 0
        while index < text.count {
            let byte = text[index]
            if text.isDigit(index) {
                lastDigit = index + 1
                separators = 0
            } else if byte.isAny(of: " -./()+") {
                separators += 1
                if separators > 2 || (byte == UInt8(ascii: "+") && index != start) { break }
                // A space ends the number unless a digit or an opening parenthesis follows.
                if byte == UInt8(ascii: " "), !(text.isDigit(index + 1) || text[index + 1] == UInt8(ascii: "(")) { break }
            } else {
                break
            }
            index += 1
        }
        return lastDigit
    }

    private func separatorsOf(_ text: ScanText, _ start: Int, _ end: Int) -> Set<UInt8> {
        Set(text.bytes[start..<end].filter { !(0x30...0x39).contains($0) })
    }

    /// `AAA-GG-SSSS` (or spaced), never issued with area 000, 666 or 9xx, group 00 or serial 0000.
    private func ssn(_ text: ScanText, _ start: Int, _ end: Int, _ digits: [UInt8]) -> Double? {
        guard digits.count == 9 else { return nil }
        let shape = Array(text.bytes[start..<end])
        let context = text.hasContext(before: start, Self.ssnWords)
        if shape.count == 11 {
            let separator = shape[3]
            guard separator == UInt8(ascii: "-") || separator == UInt8(ascii: " "), shape[6] == separator else { return nil }
        } else if shape.count != 9 || !context {
            return nil
        }
        let area = Int(digits[0]) * 100 + Int(digits[1]) * 10 + Int(digits[2])
        let group = Int(digits[3]) * 10 + Int(digits[4])
        let serial = digits[5...].reduce(0) { $0 * 10 + Int($1) }
        guard area != 0, area != 666, area < 900, group != 0, serial != 0 else { return nil }
        if Self.isReference(text, before: start, over: Self.ssnWords) { return nil }
        return context ? 1 : 0.85
    }

    /// 13 to 19 digits, plain or grouped by spaces or dashes, a known network's prefix and length, and Luhn.
    private func card(_ text: ScanText, _ start: Int, _ end: Int, _ digits: [UInt8]) -> Double? {
        guard (13...19).contains(digits.count), separatorsOf(text, start, end).isSubset(of: [UInt8(ascii: " "), UInt8(ascii: "-")]) else {
            return nil
        }
        guard Self.isKnownNetwork(digits), Self.luhn(digits) else { return nil }
        if Self.isReference(text, before: start, over: Self.cardWords) { return nil }
        return text.hasContext(before: start, Self.cardWords) ? 1 : 0.9
    }

    static func luhn(_ digits: [UInt8]) -> Bool {
        var sum = 0
        for (position, digit) in digits.reversed().enumerated() {
            var value = Int(digit)
            if position % 2 == 1 {
                value *= 2
                if value > 9 { value -= 9 }
            }
            sum += value
        }
        return sum % 10 == 0
    }

    /// Visa, Mastercard, American Express, Discover, JCB, Diners Club, UnionPay, Maestro: prefix and length.
    static func isKnownNetwork(_ digits: [UInt8]) -> Bool {
        func prefix(_ count: Int) -> Int { digits.prefix(count).reduce(0) { $0 * 10 + Int($1) } }
        let length = digits.count
        switch digits[0] {
        case 4: return [13, 16, 19].contains(length)
        case 5: return (51...55).contains(prefix(2)) && length == 16 || (50...69).contains(prefix(2)) && (12...19).contains(length) && prefix(2) != 55
        case 2: return (2221...2720).contains(prefix(4)) && length == 16
        case 3:
            if [34, 37].contains(prefix(2)) { return length == 15 }
            if (3528...3589).contains(prefix(4)) { return (16...19).contains(length) }
            return ([36, 38, 39].contains(prefix(2)) || (300...305).contains(prefix(3))) && (14...19).contains(length)
        case 6:
            return (prefix(4) == 6011 || prefix(2) == 65 || (644...649).contains(prefix(3)) || prefix(2) == 62) && (16...19).contains(length)
        default: return false
        }
    }

    /// An international number valid for its calling code, or a national one after a phone word.
    private func phone(_ text: ScanText, _ start: Int, _ end: Int, _ digits: [UInt8]) -> Double? {
        guard (7...15).contains(digits.count) else { return nil }
        let international = text[start] == UInt8(ascii: "+") || (digits.starts(with: [0, 0]) && text[start] == UInt8(ascii: "0"))
        // A phone word speaks of the number right after it, not of one past another number.
        let context =
            text.contextDistance(before: start, Self.phoneWords, window: 32).map { distance in
                !text.bytes[(start - distance)..<start].contains { (0x30...0x39).contains($0) }
            } ?? false
        if Self.isReference(text, before: start, over: Self.phoneWords) { return nil }
        if international {
            let number = String(digits.dropFirst(text[start] == UInt8(ascii: "+") ? 0 : 2).map { Character(Unicode.Scalar($0 + 0x30)) })
            return (try? PhoneNumber.international(number)) == nil ? nil : context ? 1 : 0.9
        }
        // An area code in parentheses, (415) 555-2671, is a phone number's own shape; else a phone word must say so.
        let areaCode = text[start] == UInt8(ascii: "(") && text[start + 4] == UInt8(ascii: ")")
        guard context || areaCode, digits.count >= 8 || separatorsOf(text, start, end).count > 0 else { return nil }
        // Dotted, a number is a phone's only in groups of two digits or more (415.555.0132), not 52.1.16.
        let groups = text.bytes[start..<end].split(whereSeparator: { !(0x30...0x39).contains($0) })
        if separatorsOf(text, start, end).contains(UInt8(ascii: ".")), groups.contains(where: { $0.count < 2 }) { return nil }
        return PhoneNumber.isNational(String(digits.map { Character(Unicode.Scalar($0 + 0x30)) }), in: regions) ? (context ? 0.85 : 0.7) : nil
    }
}
