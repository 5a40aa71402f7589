import Foundation

/// API keys, tokens and passwords: the known prefixes of providers' keys (OpenAI, Anthropic, AWS,
/// GitHub, GitLab, Slack, Stripe, Google, Hugging Face), JSON web tokens, PEM private keys, and any
/// varied enough string written after a word such as "password" or "token".
enum SecretRecognizer {
    /// A prefix (as bytes) and the fewest characters after it.
    static let prefixes: [([UInt8], Int)] = [
        ("sk-ant-", 32), ("sk-proj-", 32), ("sk-", 32), ("sk_live_", 16), ("sk_test_", 16), ("rk_live_", 16), ("rk_test_", 16),
        ("AKIA", 16), ("ASIA", 16), ("ghp_", 36), ("gho_", 36), ("ghu_", 36), ("ghs_", 36), ("ghr_", 36), ("github_pat_", 22),
        ("glpat-", 20), ("xoxb-", 20), ("xoxp-", 20), ("xoxa-", 20), ("xoxr-", 20), ("xapp-", 20), ("AIza", 35), ("hf_", 30),
    ].map { (Array($0.utf8), $1) }
    /// The bytes a secret can start with: the prefixes' first, `e` of a web token, `-` of a PEM block.
    static let starts: StaticString = "sSrRAgxhe-"
    /// Words a secret is written after, and how many kinds of character (lowercase, uppercase,
    /// digits, symbols) the string after them must mix: more after a word as loose as "key".
    static let words: [(String, Int)] = [
        ("password", 2), ("passwd", 2), ("pwd", 2), ("passcode", 2), ("secret", 2), ("token", 2), ("api key", 2), ("api_key", 2), ("apikey", 2),
        ("access key", 2), ("bearer", 2), ("key", 3),
    ]

    static func find(in text: ScanText, into found: inout [PIICandidate]) {
        var index = 0
        while index < text.count {
            if text[index].isAny(of: starts), text.startsWord(index),
                let end = prefixed(text, at: index) ?? webToken(text, at: index) ?? privateKey(text, at: index)
            {
                found.append(PIICandidate(start: index, end: end, type: .secret, score: 0.95))
                index = end
                continue
            }
            index += 1
        }
        assigned(text, into: &found)
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        ScanText.isWordByte(byte) && byte < 0x80 || byte == UInt8(ascii: "-")
    }

    private static func prefixed(_ text: ScanText, at start: Int) -> Int? {
        for (bytes, minimum) in prefixes {
            guard start + bytes.count <= text.count, text.bytes[start..<(start + bytes.count)].elementsEqual(bytes) else { continue }
            var end = start + bytes.count
            while end < text.count, isTokenByte(text[end]) { end += 1 }
            guard end - start - bytes.count >= minimum else { return nil }
            // A key is varied: letters and digits, not a word with a dash.
            let body = text.bytes[(start + bytes.count)..<end]
            guard body.contains(where: { (0x30...0x39).contains($0) }),
                body.contains(where: { (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) })
            else {
                return nil
            }
            return end
        }
        return nil
    }

    /// `eyJ….eyJ….signature`: three base64url parts, the first two JSON objects.
    private static func webToken(_ text: ScanText, at start: Int) -> Int? {
        guard text.string(start, start + 3) == "eyJ" else { return nil }
        var end = start
        var parts = 1
        var partLength = 0
        while end < text.count {
            let byte = text[end]
            if byte == UInt8(ascii: ".") {
                guard partLength >= 4 else { return nil }
                parts += 1
                partLength = 0
            } else if isTokenByte(byte) {
                partLength += 1
            } else {
                break
            }
            end += 1
        }
        return parts == 3 && partLength >= 8 ? end : nil
    }

    private static func privateKey(_ text: ScanText, at start: Int) -> Int? {
        guard text[start] == UInt8(ascii: "-"), text.string(start, start + 11) == "-----BEGIN " else { return nil }
        let rest = text.string(start, min(text.count, start + 16_384))
        guard let header = rest.range(of: "PRIVATE KEY-----"), let footer = rest.range(of: "-----END ", range: header.upperBound..<rest.endIndex),
            let close = rest.range(of: "-----", range: footer.upperBound..<rest.endIndex)
        else { return nil }
        return start + rest.utf8.distance(from: rest.startIndex, to: close.upperBound)
    }

    /// A string of at least eight characters of two kinds or more, written right after a secret word
    /// (`password: …`, `token=…`, `the API key is …`).
    private static func assigned(_ text: ScanText, into found: inout [PIICandidate]) {
        let lowered = text.bytes.map { (0x41...0x5A).contains($0) ? $0 + 32 : $0 }
        for (word, required) in words {
            let needle = Array(word.utf8)
            var index = 0
            while index + needle.count <= lowered.count {
                defer { index += 1 }
                guard lowered[index] == needle[0], lowered[index..<(index + needle.count)].elementsEqual(needle), text.startsWord(index) else {
                    continue
                }
                var start = index + needle.count
                // The word's own ending (passwords, tokens), then what joins it to the value.
                while start < text.count, text.isLetter(start) { start += 1 }
                let joint = start
                while start < text.count, start - joint < 6,
                    text[start].isAny(of: " :=\"'")
                {
                    start += 1
                }
                if text.string(start, start + 3).lowercased() == "is " { start += 3 }
                guard start > joint || text.string(joint, joint + 3) == "is " else { continue }
                var end = start
                while end < text.count, text[end] > 0x20, text[end] < 0x7F, !["\"", "'", ",", ";"].contains(Character(Unicode.Scalar(text[end]))) {
                    end += 1
                }
                while end > start,
                    text[end - 1].isAny(of: ".:!?)")
                { end -= 1 }
                let value = text.bytes[start..<end]
                guard value.count >= 8, value.count <= 512, kinds(value) >= required, !found.contains(where: { $0.start <= start && start < $0.end })
                else { continue }
                found.append(PIICandidate(start: start, end: end, type: .secret, score: 0.8))
                index = end
            }
        }
    }

    /// How many of lowercase, uppercase, digits and symbols `value` mixes.
    private static func kinds(_ value: ArraySlice<UInt8>) -> Int {
        [
            value.contains { (0x61...0x7A).contains($0) }, value.contains { (0x41...0x5A).contains($0) },
            value.contains { (0x30...0x39).contains($0) },
            value.contains { !ScanText.isWordByte($0) },
        ].filter { $0 }.count
    }
}
