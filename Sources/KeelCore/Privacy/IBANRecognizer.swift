/// International bank account numbers: a country's code, two check digits and the country's
/// length of account number, compact or in groups of four, whose ISO 7064 mod-97 checksum holds.
enum IBANRecognizer {
    /// Each country's IBAN length (the SWIFT IBAN registry).
    static let lengths: [String: Int] = [
        "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27, "BR": 29, "BY": 28, "CH": 21,
        "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18,
        "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
        "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24,
        "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29,
        "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23,
        "ST": 25, "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
    ]

    static func find(in text: ScanText, into found: inout [PIICandidate]) {
        var index = 0
        while index + 4 < text.count {
            defer { index += 1 }
            guard text.isUpper(index), text.isUpper(index + 1), text.isDigit(index + 2), text.isDigit(index + 3), text.startsWord(index),
                let length = lengths[text.string(index, index + 2)]
            else { continue }
            var compact: [UInt8] = []
            var end = index
            while end < text.count, compact.count < length {
                if text.isDigit(end) || text.isUpper(end) {
                    compact.append(text[end])
                } else if text[end] == UInt8(ascii: " "), compact.count % 4 == 0, text.isAlphanumeric(end + 1) {
                    // Spaces only between groups of four.
                } else {
                    break
                }
                end += 1
            }
            guard compact.count == length, text.endsWord(end), checksumHolds(compact) else { continue }
            found.append(PIICandidate(start: index, end: end, type: .iban, score: 1))
            index = end - 1
        }
    }

    /// ISO 7064 mod 97-10: the account moved behind the country and check digits, letters as 10–35, is 1 mod 97.
    static func checksumHolds(_ iban: [UInt8]) -> Bool {
        var remainder = 0
        for byte in iban[4...] + iban[..<4] {
            let value = (0x30...0x39).contains(byte) ? Int(byte - 0x30) : Int(byte - 0x41) + 10
            remainder = (value >= 10 ? remainder * 100 : remainder * 10) + value
            remainder %= 97
        }
        return remainder == 1
    }
}
