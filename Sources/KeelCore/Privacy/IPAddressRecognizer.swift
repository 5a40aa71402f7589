import Foundation

/// IPv4 addresses (four octets of 0–255, not part of a longer dotted number nor after a version
/// word) and IPv6 addresses (as `inet_pton` reads them, with at least two colons).
enum IPAddressRecognizer {
    static let versionWords = ["version", "build", "release", "v"]

    static func find(in text: ScanText, types: Set<PIIType>, into found: inout [PIICandidate]) {
        var index = 0
        let (v4, v6) = (types.contains(.ipv4), types.contains(.ipv6))
        while index < text.count {
            if v4, text.isDigit(index), index == 0 || !(text.isWord(index - 1) || text[index - 1] == UInt8(ascii: ".")),
                let end = ipv4End(text, from: index)
            {
                if !text.hasContext(before: index, versionWords, window: 12) {
                    found.append(PIICandidate(start: index, end: end, type: .ipv4, score: 0.95))
                }
                index = end
                continue
            }
            if v6, text.isHex(index) || text[index] == UInt8(ascii: ":"),
                index == 0 || !(text.isWord(index - 1) || text[index - 1] == UInt8(ascii: ":")), let end = ipv6End(text, from: index)
            {
                found.append(PIICandidate(start: index, end: end, type: .ipv6, score: 0.95))
                index = end
                continue
            }
            index += 1
        }
    }

    /// The end of four dot-separated octets from `start`, if they are an address.
    static func ipv4End(_ text: ScanText, from start: Int) -> Int? {
        var index = start
        for octet in 0..<4 {
            var value = 0
            var length = 0
            while text.isDigit(index), length < 4 {
                value = value * 10 + Int(text[index] - 0x30)
                length += 1
                index += 1
            }
            guard (1...3).contains(length), value <= 255, length == 1 || text[index - length] != UInt8(ascii: "0") else { return nil }
            if octet < 3 {
                guard text[index] == UInt8(ascii: "."), text.isDigit(index + 1) else { return nil }
                index += 1
            }
        }
        // Not the start of a longer dotted number (1.2.3.4.5), nor a word.
        if text[index] == UInt8(ascii: "."), text.isDigit(index + 1) { return nil }
        return text.endsWord(index) ? index : nil
    }

    /// The end of an IPv6 address from `start`, if the longest run of hex digits, colons and dots there is one.
    static func ipv6End(_ text: ScanText, from start: Int) -> Int? {
        var end = start
        var colons = 0
        while end < text.count, text.isHex(end) || text[end] == UInt8(ascii: ":") || text[end] == UInt8(ascii: ".") {
            if text[end] == UInt8(ascii: ":") { colons += 1 }
            end += 1
        }
        // A sentence's full stop or colon after the address is not part of it.
        while end > start, text[end - 1] == UInt8(ascii: ".") || (text[end - 1] == UInt8(ascii: ":") && text[end - 2] != UInt8(ascii: ":")) {
            end -= 1
        }
        guard colons >= 2, end - start >= 3, text.endsWord(end) else { return nil }
        var address = in6_addr()
        return inet_pton(AF_INET6, text.string(start, end), &address) == 1 ? end : nil
    }
}
