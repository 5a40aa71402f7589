/// The writing system a text is mostly written in, by the Unicode blocks of its letters: what a
/// drift monitor watches as the input's script (`latin`, `cyrillic`, `han`, `japanese`, …).
/// Japanese is Han with kana (ISO 15924's `Jpan`); Korean is Hangul, with or without Han.
public enum WritingScript: String, Sendable, CaseIterable {
    case latin, greek, cyrillic, armenian, hebrew, arabic, devanagari, bengali, tamil, thai, georgian, hangul, han, japanese, other

    /// The script most of the first `limit` letters of `text` are written in; `nil` for a text
    /// without letters (digits, punctuation, emoji).
    public static func dominant(in text: some StringProtocol, limit: Int = 256) -> WritingScript? {
        // ASCII letters are counted apart: most traffic is mostly them, and a dictionary update a letter costs.
        var latin = 0
        var counts: [WritingScript: Int] = [:]
        var kana = 0
        var seen = 0
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 0x80 {
                guard (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value) else { continue }
                latin += 1
            } else {
                guard let script = script(of: scalar) else { continue }
                if script == .japanese { kana += 1 } else { counts[script, default: 0] += 1 }
            }
            seen += 1
            if seen == limit { break }
        }
        guard seen > 0 else { return nil }
        counts[.latin, default: 0] += latin
        // Kana marks Han as Japanese: a Japanese sentence is mostly kana, often with Han among it.
        if kana > 0 {
            counts[.japanese] = kana + (counts[.han] ?? 0)
            counts[.han] = nil
        }
        return counts.max { ($0.value, $1.key.rawValue) < ($1.value, $0.key.rawValue) }?.key
    }

    /// The script of one letter; `nil` for anything that is not a letter. Kana counts as `japanese`.
    static func script(of scalar: Unicode.Scalar) -> WritingScript? {
        let value = scalar.value
        if value < 0x80 {
            return (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value) ? .latin : nil
        }
        guard scalar.properties.isAlphabetic else { return nil }
        switch value {
        case 0x00C0...0x024F, 0x1E00...0x1EFF, 0x2C60...0x2C7F, 0xA720...0xA7FF, 0xFF21...0xFF5A: return .latin
        case 0x0370...0x03FF, 0x1F00...0x1FFF: return .greek
        case 0x0400...0x052F, 0x2DE0...0x2DFF, 0xA640...0xA69F, 0x1C80...0x1C8F: return .cyrillic
        case 0x0530...0x058F: return .armenian
        case 0x0590...0x05FF, 0xFB1D...0xFB4F: return .hebrew
        case 0x0600...0x06FF, 0x0750...0x077F, 0x08A0...0x08FF, 0xFB50...0xFDFF, 0xFE70...0xFEFF: return .arabic
        case 0x0900...0x097F: return .devanagari
        case 0x0980...0x09FF: return .bengali
        case 0x0B80...0x0BFF: return .tamil
        case 0x0E00...0x0E7F: return .thai
        case 0x10A0...0x10FF, 0x2D00...0x2D2F: return .georgian
        case 0x1100...0x11FF, 0x3130...0x318F, 0xAC00...0xD7AF: return .hangul
        case 0x3040...0x30FF, 0x31F0...0x31FF, 0xFF66...0xFF9F: return .japanese
        case 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x3134F: return .han
        default: return .other
        }
    }
}
