/// The weaker, opt-in tier: a person's name after an honorific or an introduction ("Dr. Ana
/// Silva", "my name is Tom Brown", "Regards, Ines Costa"), and a postal address as a house number,
/// capitalised words and a street word ("221B Baker Street", "12 rue de la Paix", "Hauptstraße 5").
/// Found by cues, not rules: scored lower than the structured types.
enum NameAddressRecognizer {
    /// What a name is written right after (then a space).
    static let introductions = [
        "mr.", "mr", "mrs.", "mrs", "ms.", "ms", "miss", "dr.", "dr", "prof.", "my name is", "i am", "i'm", "this is", "regards,", "sincerely,",
        "thanks,", "cheers,", "signed,", "name:",
    ]
    static let streets: Set<String> = [
        "street", "st", "avenue", "ave", "road", "rd", "lane", "ln", "boulevard", "blvd", "drive", "court", "ct", "way", "place", "pl",
        "square", "sq", "terrace", "close", "crescent", "parkway", "highway", "straße", "strasse", "str", "weg", "gasse", "platz", "allee",
    ]
    static let streetWordsBefore: Set<String> = ["rue", "avenue", "calle", "via", "rua", "boulevard", "chemin", "piazza", "plaza"]

    static func find(in text: ScanText, types: Set<PIIType>, into found: inout [PIICandidate]) {
        let words = Self.words(text)
        if types.contains(.person) { names(text, words, into: &found) }
        if types.contains(.address) { addresses(words, into: &found) }
    }

    struct Word {
        var start: Int
        var end: Int
        var text: String
        var capitalised: Bool {
            text.first?.isUppercase == true && text.dropFirst().allSatisfy { $0.isLowercase || $0 == "-" || $0 == "'" } && text.count > 1
        }
        var isNumber: Bool { text.first?.isNumber == true && text.count <= 5 && text.allSatisfy { $0.isNumber || $0.isLetter } }
    }

    static func words(_ text: ScanText) -> [Word] {
        var words: [Word] = []
        var index = 0
        while index < text.count {
            guard text.isWord(index) || text[index] == UInt8(ascii: "'") else {
                index += 1
                continue
            }
            let start = index
            while index < text.count, text.isWord(index) || text[index] == UInt8(ascii: "-") || text[index] == UInt8(ascii: "'") { index += 1 }
            words.append(Word(start: start, end: index, text: text.string(start, index)))
        }
        return words
    }

    private static func names(_ text: ScanText, _ words: [Word], into found: inout [PIICandidate]) {
        for (position, word) in words.enumerated() where word.capitalised {
            // Right after the cue: "Dr. Ana Silva", "my name is Tom Brown".
            guard let distance = text.contextDistance(before: word.start, introductions, window: 14), distance <= 1 else { continue }
            var last = position
            while last + 1 < words.count, last - position < 2, words[last + 1].capitalised, words[last + 1].start - words[last].end == 1 { last += 1 }
            // A first name alone after "I am" is too weak; after an honorific, a surname alone is a name.
            guard last > position || text.hasContext(before: word.start, ["mr", "mrs", "ms", "miss", "dr", "prof"], window: 6) else { continue }
            found.append(PIICandidate(start: word.start, end: words[last].end, type: .person, score: 0.6))
        }
    }

    private static func addresses(_ words: [Word], into found: inout [PIICandidate]) {
        for (position, word) in words.enumerated() where word.isNumber {
            // 221B Baker Street: a number, one to four capitalised words, the last a street word.
            var last = position
            while last + 1 < words.count, last - position < 4, words[last + 1].capitalised || streets.contains(words[last + 1].text.lowercased()) {
                last += 1
                if last > position + 1, streets.contains(words[last].text.lowercased()) {
                    found.append(PIICandidate(start: word.start, end: words[last].end, type: .address, score: 0.6))
                    break
                }
            }
            // 12 rue de la Paix: a number, a street word, then names.
            if position + 2 < words.count, streetWordsBefore.contains(words[position + 1].text.lowercased()) {
                var end = position + 2
                while end + 1 < words.count, end - position < 5,
                    words[end + 1].capitalised || ["de", "la", "del", "di", "du", "des"].contains(words[end + 1].text)
                { end += 1 }
                if words[end].capitalised { found.append(PIICandidate(start: word.start, end: words[end].end, type: .address, score: 0.55)) }
            }
        }
        // Hauptstraße 5: a compound street name and a number.
        for (position, word) in words.enumerated() where position + 1 < words.count && words[position + 1].isNumber {
            let lower = word.text.lowercased()
            if word.capitalised,
                ["straße", "strasse", "weg", "gasse", "platz", "allee"].contains(where: { lower.hasSuffix($0) && lower.count > $0.count + 2 })
            {
                found.append(PIICandidate(start: word.start, end: words[position + 1].end, type: .address, score: 0.55))
            }
        }
    }
}
