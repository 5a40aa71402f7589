/// Email addresses: a local part, `@`, and a domain of at least two labels whose last is a
/// top-level domain of letters.
enum EmailRecognizer {
    static func find(in text: ScanText, into found: inout [PIICandidate]) {
        var index = 0
        while index < text.count {
            defer { index += 1 }
            guard text[index] == UInt8(ascii: "@") else { continue }
            var start = index
            while start > 0, isLocal(text[start - 1]) { start -= 1 }
            while start < index, text[start] == UInt8(ascii: ".") { start += 1 }
            guard start < index, index - start <= 64, text[index - 1] != UInt8(ascii: ".") else { continue }
            var end = index + 1
            while end < text.count, text.isAlphanumeric(end) || text[end] == UInt8(ascii: "-") || text[end] == UInt8(ascii: ".") { end += 1 }
            while end > index + 1, text[end - 1] == UInt8(ascii: ".") || text[end - 1] == UInt8(ascii: "-") { end -= 1 }
            let labels = text.bytes[(index + 1)..<end].split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
            guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && $0.first != UInt8(ascii: "-") }), let top = labels.last, top.count >= 2,
                top.allSatisfy({ (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) })
            else { continue }
            found.append(PIICandidate(start: start, end: end, type: .email, score: 1))
            index = end - 1
        }
    }

    private static func isLocal(_ byte: UInt8) -> Bool {
        ScanText.isWordByte(byte) && byte < 0x80 || byte.isAny(of: ".+-%'")
    }
}
