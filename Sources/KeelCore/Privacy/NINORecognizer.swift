/// UK national insurance numbers: two letters of the prefixes HMRC issues, six digits (compact or in
/// pairs) and a suffix A–D.
enum NINORecognizer {
    static let words = ["national insurance", "ni number", "nino", "nin", "insurance number"]
    /// Prefixes HMRC never issues.
    static let unissued: Set<String> = ["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"]

    static func find(in text: ScanText, into found: inout [PIICandidate]) {
        var index = 0
        while index + 8 < text.count {
            defer { index += 1 }
            guard text.isUpper(index), text.isUpper(index + 1), text.startsWord(index), validPrefix(text[index], text[index + 1]),
                !unissued.contains(text.string(index, index + 2))
            else { continue }
            var end = index + 2
            var digits = 0
            let spaced = text[end] == UInt8(ascii: " ")
            while digits < 6 {
                if spaced, digits % 2 == 0 {
                    guard text[end] == UInt8(ascii: " ") else { break }
                    end += 1
                }
                guard text.isDigit(end) else { break }
                digits += 1
                end += 1
            }
            guard digits == 6 else { continue }
            if spaced, text[end] == UInt8(ascii: " ") { end += 1 }
            guard (0x41...0x44).contains(text[end]), text.endsWord(end + 1) else { continue }
            end += 1
            found.append(PIICandidate(start: index, end: end, type: .nino, score: text.hasContext(before: index, words) ? 1 : 0.85))
            index = end - 1
        }
    }

    private static func validPrefix(_ first: UInt8, _ second: UInt8) -> Bool {
        !"DFIQUV".utf8.contains(first) && !"DFIQUVO".utf8.contains(second)
    }
}
