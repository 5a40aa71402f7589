/// The text a PII scan reads, as UTF-8 bytes, with what the recognisers ask of it: character
/// classes, word boundaries, and the context words just before a finding.
struct ScanText {
    let bytes: [UInt8]

    init(_ text: String) { bytes = Array(text.utf8) }

    var count: Int { bytes.count }

    subscript(_ index: Int) -> UInt8 { index >= 0 && index < bytes.count ? bytes[index] : 0 }

    func isDigit(_ index: Int) -> Bool { (0x30...0x39).contains(self[index]) }
    func isUpper(_ index: Int) -> Bool { (0x41...0x5A).contains(self[index]) }
    func isLetter(_ index: Int) -> Bool { isUpper(index) || (0x61...0x7A).contains(self[index]) }
    func isAlphanumeric(_ index: Int) -> Bool { isDigit(index) || isLetter(index) }
    func isHex(_ index: Int) -> Bool { isDigit(index) || (0x41...0x46).contains(self[index]) || (0x61...0x66).contains(self[index]) }
    /// A byte of a word: an ASCII letter or digit, `_`, or any byte of a non-ASCII character.
    func isWord(_ index: Int) -> Bool { isAlphanumeric(index) || self[index] == UInt8(ascii: "_") || self[index] >= 0x80 }

    /// Whether a word starts at `index`: the byte before is not part of one.
    func startsWord(_ index: Int) -> Bool { index == 0 || !isWord(index - 1) }
    /// Whether a word ends at `end`: the byte there is not part of one.
    func endsWord(_ end: Int) -> Bool { end >= bytes.count || !isWord(end) }

    func string(_ start: Int, _ end: Int) -> String { String(decoding: bytes[max(0, start)..<min(end, bytes.count)], as: UTF8.self) }

    /// The ASCII digits between `start` and `end`.
    func digits(_ start: Int, _ end: Int) -> [UInt8] { bytes[start..<end].filter { (0x30...0x39).contains($0) }.map { $0 - 0x30 } }

    /// Whether one of `words` (lowercase, whole words) ends within `window` bytes before `start`.
    func hasContext(before start: Int, _ words: [String], window: Int = 40) -> Bool { contextDistance(before: start, words, window: window) != nil }

    /// How many bytes lie between the nearest of `words` (lowercase, whole words) within `window`
    /// bytes before `start`, and `start`; `nil` when none is there.
    func contextDistance(before start: Int, _ words: [String], window: Int = 40) -> Int? {
        let from = max(0, start - window)
        guard from < start else { return nil }
        let lowered = bytes[from..<start].map { (0x41...0x5A).contains($0) ? $0 + 32 : $0 }
        // A word cut by the window's start (`said` seen as `id`) is not the word.
        let cutWord = from > 0 && Self.isWordByte(bytes[from - 1])
        var nearest: Int?
        for word in words {
            let needle = Array(word.utf8)
            var index = lowered.count - needle.count
            while index >= 0 {
                let end = index + needle.count
                if lowered[index] == needle[0], lowered[index..<end].elementsEqual(needle),
                    index == 0 ? !cutWord : !Self.isWordByte(lowered[index - 1]),
                    end == lowered.count || !Self.isWordByte(lowered[end]) || !Self.isWordByte(needle[needle.count - 1])
                {
                    let distance = lowered.count - end
                    if distance < nearest ?? Int.max { nearest = distance }
                    break
                }
                index -= 1
            }
        }
        return nearest
    }

    static func isWordByte(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == UInt8(ascii: "_") || byte >= 0x80
    }
}

extension UInt8 {
    /// Whether the byte is one of `characters` (ASCII), without building a collection to ask.
    func isAny(of characters: StaticString) -> Bool { characters.withUTF8Buffer { $0.contains(self) } }
}

/// A finding of one recogniser, in bytes, before overlaps are settled.
struct PIICandidate {
    var start: Int
    var end: Int
    var type: PIIType
    var score: Double
}
