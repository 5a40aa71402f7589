/// Seeded request bodies that a hostile or broken client might send: valid requests with one to
/// four fields replaced by extreme values (huge and negative integers, floats past every range,
/// deep and wide structures, long and invalid-UTF-8 strings), then sometimes cut short or with
/// bytes flipped. The same seed gives the same bodies.
struct BodyFuzzer {
    enum Target: CaseIterable {
        case chat, embeddings
    }

    private var state: UInt64

    init(seed: UInt64) { self.state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    /// splitmix64
    private mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    private mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
    private mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    static let integers = [
        "0", "-1", "1", "2", "127", "128", "65536", "2147483647", "2147483648", "-2147483649", "4294967296", "9007199254740993",
        "4611686018427387904", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "18446744073709551616",
        "1000000000000", "100000000000000000000000000000", "-100000000000000000000",
    ]
    static let floats = ["0.5", "-0.0", "1e308", "-1e308", "1e-320", "2.5e18", "9.3e18", "1E400", "123456789.123456789e-5", "1.0"]
    static let chatFields = [
        "model", "messages", "max_tokens", "max_completion_tokens", "n", "temperature", "top_p", "stop", "tools", "tool_choice", "stream",
        "stream_options", "seed", "logit_bias", "metadata", "presence_penalty", "response_format", "user", "logprobs", "top_logprobs",
    ]
    static let embeddingFields = ["model", "input", "dimensions", "encoding_format", "user"]
    static let numericFields: Set = ["max_tokens", "max_completion_tokens", "n", "temperature", "top_p", "dimensions", "seed", "top_logprobs"]

    /// One body for `target`.
    mutating func body(for target: Target) -> [UInt8] {
        var fields: [(String, String)]
        switch target {
        case .chat: fields = [("model", #""gpt-test""#), ("messages", #"[{"role":"user","content":"hi"}]"#)]
        case .embeddings: fields = [("model", #""embed-test""#), ("input", #""hello""#)]
        }
        let names = target == .chat ? Self.chatFields : Self.embeddingFields
        for _ in 0..<(1 + below(4)) {
            let name = pick(names)
            let value = self.value(for: name, depth: 0)
            if let index = fields.firstIndex(where: { $0.0 == name }) { fields[index].1 = value } else { fields.append((name, value)) }
        }
        if chance(5) { fields.append((pick(names), value(depth: 0))) }  // a key given twice
        var bytes = Array(("{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}").utf8)
        if chance(8), !bytes.isEmpty { bytes = Array(bytes.prefix(below(bytes.count))) }
        if chance(8) {
            for _ in 0..<(1 + below(4)) where !bytes.isEmpty { bytes[below(bytes.count)] = UInt8(truncatingIfNeeded: next()) }
        }
        if chance(3) { bytes = [] }
        return bytes
    }

    /// A value meant for `name`: usually of the right shape, often at an edge of it.
    private mutating func value(for name: String, depth: Int) -> String {
        if Self.numericFields.contains(name), chance(60) { return chance(80) ? pick(Self.integers) : pick(Self.floats) }
        switch (name, below(3)) {
        case ("messages", 0): return messages()
        case ("input", 0): return "[" + (0..<below(3000)).map { _ in #""a""# }.joined(separator: ",") + "]"
        case ("stop", 0): return "[" + (0..<below(12)).map { _ in string() }.joined(separator: ",") + "]"
        case ("tools", 0): return "[" + (0..<below(300)).map { _ in #"{"type":"function","function":{"name":"f"}}"# }.joined(separator: ",") + "]"
        case ("stream_options", 0): return #"{"include_usage":"# + pick(["true", "false", "1", "null"]) + "}"
        default: return value(depth: depth)
        }
    }

    private mutating func messages() -> String {
        let roles = ["user", "system", "assistant", "tool", "developer", "function", "robot", ""]
        let count = chance(2) ? below(20_000) : below(6)
        return "["
            + (0..<count).map { _ in
                switch below(4) {
                case 0: #"{"role":"\#(pick(roles))","content":\#(value(depth: 2))}"#
                case 1: #"{"role":"user","content":[{"type":"text","text":\#(string())}]}"#
                case 2: #"{"role":"assistant","tool_calls":\#(value(depth: 2))}"#
                default: #"{"role":"user","content":\#(string())}"#
                }
            }.joined(separator: ",") + "]"
    }

    private mutating func string() -> String {
        switch below(7) {
        case 0: return #""""#
        case 1: return "\"" + String(repeating: "x", count: chance(10) ? below(200_000) : below(2000)) + "\""
        case 2: return #""é漢字😀\u0000\ud800 \t\n""#
        case 3: return "\"\u{FF}\u{FE}\""
        case 4: return #""\uDFFF\uD800\u""#
        default: return "\"" + String(repeating: "word ", count: below(50)) + "\""
        }
    }

    private mutating func value(depth: Int) -> String {
        switch below(depth > 30 ? 6 : 10) {
        case 0: return pick(Self.integers)
        case 1: return pick(Self.floats)
        case 2: return string()
        case 3: return pick(["true", "false", "null"])
        case 4: return #"{"k":"# + pick(Self.integers) + "}"
        case 5: return "[" + (0..<below(5)).map { _ in pick(Self.integers) }.joined(separator: ",") + "]"
        case 6: return String(repeating: "[", count: 50 + below(200)) + String(repeating: "]", count: 50 + below(200))
        case 7: return "[" + value(depth: depth + 1) + "]"
        case 8: return #"{"a":"# + value(depth: depth + 1) + #","b":"# + value(depth: depth + 1) + "}"
        default: return "[" + (0..<(chance(10) ? below(100_000) : below(100))).map { _ in "0" }.joined(separator: ",") + "]"
        }
    }

    /// A query string for an `/api` route: known parameter names with values of every kind.
    mutating func query() -> String {
        let names = ["route", "key", "status", "failed", "since", "before", "limit", "days", "by", "status", "x"]
        let values = Self.integers + Self.floats + ["", "true", "%FF%FE", "%00", "route", "day", String(repeating: "z", count: 5000)]
        return (0..<below(5)).map { _ in "\(pick(names))=\(pick(values))" }.joined(separator: "&")
    }
}
