import Foundation

/// Finds personal and secret data in text, fast enough for the request path: one pass of each
/// recogniser over the UTF-8 bytes, no regular expression for the built-in types. Each finding
/// passed its type's rules — checksums, numbering plans, reserved ranges — and is scored; context
/// words before it raise the score and words that make a number a reference (an order, a parcel)
/// drop it. Overlapping findings keep the surest, then the longest.
///
/// More types come from configuration: a pattern, an optional validator and context words.
public struct PIIDetector: Sendable {
    /// A type from configuration: its pattern (a regular expression), what its matches must pass,
    /// and the words that raise a match's score.
    public struct CustomType: Sendable {
        public enum Validator: String, Sendable, CaseIterable {
            case luhn, mod97
        }

        public var type: PIIType
        public var pattern: NSRegularExpression
        public var validator: Validator?
        public var context: [String]
        public var score: Double

        public init(type: PIIType, pattern: NSRegularExpression, validator: Validator? = nil, context: [String] = [], score: Double = 0.8) {
            self.type = type
            self.pattern = pattern
            self.validator = validator
            self.context = context.map { $0.lowercased() }
            self.score = score
        }
    }

    public var types: Set<PIIType>
    public var custom: [CustomType]
    /// Findings scored below this are dropped.
    public var minimumScore: Double
    /// Where national phone numbers (without a calling code) may be from; any country when `nil`.
    public var phoneRegions: [Country]?

    public init(types: Set<PIIType> = Set(PIIType.structured), custom: [CustomType] = [], minimumScore: Double = 0.5, phoneRegions: [Country]? = nil)
    {
        self.types = types
        self.custom = custom
        self.minimumScore = minimumScore
        self.phoneRegions = phoneRegions
    }

    /// The findings in `text`, in order.
    public func scan(_ text: String) -> [PIISpan] {
        let scanned = ScanText(text)
        return spans(of: candidates(in: scanned, text: text), in: scanned)
    }

    private func candidates(in scanned: ScanText, text: String) -> [PIICandidate] {
        var found: [PIICandidate] = []
        if types.contains(.email) { EmailRecognizer.find(in: scanned, into: &found) }
        if types.contains(.iban) { IBANRecognizer.find(in: scanned, into: &found) }
        if types.contains(.nino) { NINORecognizer.find(in: scanned, into: &found) }
        if types.contains(.secret) { SecretRecognizer.find(in: scanned, into: &found) }
        if !types.isDisjoint(with: [.ipv4, .ipv6]) { IPAddressRecognizer.find(in: scanned, types: types, into: &found) }
        if !types.isDisjoint(with: [.card, .ssn, .phone]) {
            NumberRecognizer(regions: phoneRegions).find(in: scanned, types: types, into: &found)
        }
        if !types.isDisjoint(with: PIIType.weak) { NameAddressRecognizer.find(in: scanned, types: types, into: &found) }
        for type in custom { matches(of: type, in: text, scanned, into: &found) }
        return settled(found.filter { $0.score >= minimumScore })
    }

    private func matches(of custom: CustomType, in text: String, _ scanned: ScanText, into found: inout [PIICandidate]) {
        let utf16 = text.utf16
        for match in custom.pattern.matches(in: text, range: NSRange(location: 0, length: utf16.count)) {
            guard let range = Range(match.range, in: text) else { continue }
            let start = text.utf8.distance(from: text.startIndex, to: range.lowerBound)
            let end = start + text[range].utf8.count
            let value = Array(text[range].utf8)
            switch custom.validator {
            case .luhn?:
                let digits = value.filter { (0x30...0x39).contains($0) }.map { $0 - 0x30 }
                guard !digits.isEmpty, NumberRecognizer.luhn(digits) else { continue }
            case .mod97?:
                let compact = value.filter { (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) }
                guard compact.count > 4, IBANRecognizer.checksumHolds(compact) else { continue }
            case nil:
                break
            }
            let raised = !custom.context.isEmpty && scanned.hasContext(before: start, custom.context)
            found.append(PIICandidate(start: start, end: end, type: custom.type, score: raised ? min(1, custom.score + 0.2) : custom.score))
        }
    }

    /// Overlapping findings reduced to the surest (then the longest), in order.
    private func settled(_ found: [PIICandidate]) -> [PIICandidate] {
        let ranked = found.sorted { ($0.score, $0.end - $0.start) > ($1.score, $1.end - $1.start) }
        var kept: [PIICandidate] = []
        for candidate in ranked where !kept.contains(where: { $0.start < candidate.end && candidate.start < $0.end }) { kept.append(candidate) }
        return kept.sorted { $0.start < $1.start }
    }

    /// Byte offsets as code point offsets, in one pass.
    private func spans(of found: [PIICandidate], in text: ScanText) -> [PIISpan] {
        guard !found.isEmpty else { return [] }
        var offsets = Set(found.flatMap { [$0.start, $0.end] }).sorted()[...]
        var points: [Int: Int] = [:]
        var codePoint = 0
        for index in 0...text.count {
            while let next = offsets.first, next == index {
                points[next] = codePoint
                offsets.removeFirst()
            }
            if offsets.isEmpty { break }
            if index < text.count, text.bytes[index] & 0xC0 != 0x80 { codePoint += 1 }
        }
        return found.map {
            PIISpan(start: points[$0.start] ?? 0, end: points[$0.end] ?? 0, bytes: $0.start..<$0.end, type: $0.type, score: $0.score)
        }
    }
}
