/// The stable placeholders one request's values were sent upstream as (`[EMAIL_1]`: the same value,
/// the same placeholder), and the way back: the answer with every placeholder its value again.
public struct PIIPlaceholders: Sendable {
    private var values: [String: String] = [:]
    private var placeholders: [String: String] = [:]
    private var counts: [PIIType: Int] = [:]
    /// The longest placeholder given, for a stream holding back what may be the start of one.
    private(set) var longest = 0

    public init() {}

    public var isEmpty: Bool { values.isEmpty }

    /// The placeholder of `value`, a new one the first time.
    public mutating func placeholder(for value: String, type: PIIType) -> String {
        if let known = placeholders[value] { return known }
        let number = counts[type, default: 0] + 1
        counts[type] = number
        let placeholder = "[\(type.rawValue.uppercased())_\(number)]"
        placeholders[value] = placeholder
        values[placeholder] = value
        longest = max(longest, placeholder.utf8.count)
        return placeholder
    }

    /// `text` with every placeholder replaced by its value.
    public func restored(_ text: String) -> String {
        guard !values.isEmpty, text.contains("[") else { return text }
        var result = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "[") {
            result += rest[..<open]
            if let close = rest[open...].firstIndex(of: "]"), let value = values[String(rest[open...close])] {
                result += value
                rest = rest[rest.index(after: close)...]
            } else {
                result += "["
                rest = rest[rest.index(after: open)...]
            }
        }
        return result + rest
    }

    /// Restores a stream's text as it comes: what can be released now, holding back an unfinished
    /// `[…` that may still become a placeholder split across chunks.
    public struct Stream: Sendable {
        let placeholders: PIIPlaceholders
        private var pending = ""

        init(_ placeholders: PIIPlaceholders) { self.placeholders = placeholders }

        public mutating func feed(_ text: String) -> String {
            pending += text
            var release = pending
            if let open = pending.lastIndex(of: "["), !pending[open...].contains("]"),
                pending.utf8.distance(from: open, to: pending.endIndex) < placeholders.longest
            {
                release = String(pending[..<open])
                pending = String(pending[open...])
            } else {
                pending = ""
            }
            return placeholders.restored(release)
        }

        /// What is still held back, at the end of the stream.
        public mutating func flush() -> String {
            defer { pending = "" }
            return placeholders.restored(pending)
        }
    }

    public var stream: Stream { Stream(self) }
}
