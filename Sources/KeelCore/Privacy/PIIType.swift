/// A kind of personal or secret data Keel finds in text. The structured types are found by their
/// shape and checked by their rules (checksums, number plans, reserved ranges); `person` and
/// `address` are a weaker tier, found by cues, on only when a route asks for them.
public struct PIIType: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public var rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public static let email = PIIType(rawValue: "email")
    public static let phone = PIIType(rawValue: "phone")
    /// A payment card number (Luhn, a network's prefix and length).
    public static let card = PIIType(rawValue: "card")
    public static let iban = PIIType(rawValue: "iban")
    /// A US social security number.
    public static let ssn = PIIType(rawValue: "ssn")
    /// A UK national insurance number.
    public static let nino = PIIType(rawValue: "nino")
    public static let ipv4 = PIIType(rawValue: "ipv4")
    public static let ipv6 = PIIType(rawValue: "ipv6")
    /// An API key, token or password.
    public static let secret = PIIType(rawValue: "secret")
    public static let person = PIIType(rawValue: "person")
    public static let address = PIIType(rawValue: "address")

    /// The types found by shape and rules, on unless a route says otherwise.
    public static let structured: [PIIType] = [.email, .phone, .card, .iban, .ssn, .nino, .ipv4, .ipv6, .secret]
    /// The weaker, opt-in tier.
    public static let weak: [PIIType] = [.person, .address]

    public var description: String { rawValue }
    public static func < (lhs: PIIType, rhs: PIIType) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Where a value of a type was found: `[start, end)` in Unicode code points of the text (and
/// ``bytes`` in its UTF-8), and how sure the finding is (0–1: the rules it passed, raised by
/// context words, lowered by contrary ones).
public struct PIISpan: Sendable, Hashable {
    public var start: Int
    public var end: Int
    public var bytes: Range<Int>
    public var type: PIIType
    public var score: Double

    public init(start: Int, end: Int, bytes: Range<Int>, type: PIIType, score: Double) {
        self.start = start
        self.end = end
        self.bytes = bytes
        self.type = type
        self.score = score
    }

    public var json: JSONObject {
        JSONObject([("start", JSONValue(start)), ("end", JSONValue(end)), ("type", .string(type.rawValue)), ("score", .double(score))])
    }
}
