import Foundation

/// A rule of a risk policy, written as an expression over a record's fields:
/// `amount_eur >= 10000 or segment == "vip" or country in high_risk_countries or note contains_any
/// ["dispute", "fraud"]`.
///
/// Grammar: `or`, `and`, `not`; comparisons `== != < <= > >=`, `in`, `contains`, `contains_any`,
/// `matches` (a regular expression); `+ - * /`; numbers, strings, `true`, `false`, `null`, lists
/// `[…]`; names (`amount`, `answer.category`) and lookups (`eur_rates[currency]`). A name that
/// resolves to nothing is null, and a comparison with null is false, so a rule about a field a
/// record lacks does not hold.
public indirect enum RiskExpression: Sendable, Hashable {
    case literal(JSONValue)
    case name([String])
    case list([RiskExpression])
    case lookup(RiskExpression, RiskExpression)
    case not(RiskExpression)
    case negate(RiskExpression)
    case binary(String, RiskExpression, RiskExpression)

    public init(parsing text: String) throws(KeelError) {
        var parser = Parser(tokens: try Self.tokens(text), text: text)
        self = try parser.expression()
        guard parser.position == parser.tokens.count else { throw parser.error("unexpected '\(parser.tokens[parser.position].text)'") }
    }

    /// The value of the expression, names resolved by `resolve`.
    public func evaluate(_ resolve: ([String]) -> JSONValue?) -> JSONValue {
        switch self {
        case .literal(let value): return value
        case .name(let path): return resolve(path) ?? .null
        case .list(let items): return .array(items.map { $0.evaluate(resolve) })
        case .lookup(let base, let key):
            let container = base.evaluate(resolve)
            let index = key.evaluate(resolve)
            if let object = container.objectValue, let name = index.stringValue { return object[name] ?? .null }
            if let items = container.arrayValue, let position = index.integerValue, items.indices.contains(Int(position)) {
                return items[Int(position)]
            }
            return .null
        case .not(let inner): return .bool(!inner.evaluate(resolve).isTruthy)
        case .negate(let inner): return inner.evaluate(resolve).doubleValue.map { .double(-$0) } ?? .null
        case .binary(let operation, let left, let right):
            if operation == "or" { return .bool(left.evaluate(resolve).isTruthy || right.evaluate(resolve).isTruthy) }
            if operation == "and" { return .bool(left.evaluate(resolve).isTruthy && right.evaluate(resolve).isTruthy) }
            return Self.apply(operation, left.evaluate(resolve), right.evaluate(resolve))
        }
    }

    static func apply(_ operation: String, _ a: JSONValue, _ b: JSONValue) -> JSONValue {
        switch operation {
        case "+", "-", "*", "/":
            guard let x = a.doubleValue, let y = b.doubleValue else { return .null }
            switch operation {
            case "+": return .double(x + y)
            case "-": return .double(x - y)
            case "*": return .double(x * y)
            default: return y == 0 ? .null : .double(x / y)
            }
        case "==": return .bool(!a.isNull && equal(a, b))
        case "!=": return .bool(!a.isNull && !b.isNull && !equal(a, b))
        case "<", "<=", ">", ">=":
            let order: ComparisonResult?
            if let x = a.doubleValue, let y = b.doubleValue {
                order = x < y ? .orderedAscending : x > y ? .orderedDescending : .orderedSame
            } else if let x = a.stringValue, let y = b.stringValue {
                order = x < y ? .orderedAscending : x > y ? .orderedDescending : .orderedSame
            } else {
                order = nil
            }
            guard let order else { return false }
            switch operation {
            case "<": return .bool(order == .orderedAscending)
            case "<=": return .bool(order != .orderedDescending)
            case ">": return .bool(order == .orderedDescending)
            default: return .bool(order != .orderedAscending)
            }
        case "in":
            guard !a.isNull else { return false }
            if let items = b.arrayValue { return .bool(items.contains { equal(a, $0) }) }
            if let object = b.objectValue, let key = a.stringValue { return .bool(object[key] != nil) }
            return false
        case "contains":
            return .bool(contains(a, b))
        case "contains_any":
            return .bool((b.arrayValue ?? [b]).contains { contains(a, $0) })
        case "matches":
            guard let text = a.stringValue, let pattern = b.stringValue, let expression = try? NSRegularExpression(pattern: pattern) else {
                return false
            }
            return .bool(expression.firstMatch(in: text, range: NSRange(location: 0, length: text.utf16.count)) != nil)
        default:
            return .null
        }
    }

    /// Numbers by value, strings without regard to case.
    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if let x = a.doubleValue, let y = b.doubleValue { return x == y }
        if let x = a.stringValue, let y = b.stringValue { return x.caseInsensitiveCompare(y) == .orderedSame }
        return a == b
    }

    /// Text containing a word or phrase (in any case), or a list containing an item.
    static func contains(_ container: JSONValue, _ item: JSONValue) -> Bool {
        if let text = container.stringValue, let part = item.stringValue {
            // ASCII on both sides, the common case, compared byte by byte without Foundation.
            if text.utf8.allSatisfy({ $0 < 0x80 }), part.utf8.allSatisfy({ $0 < 0x80 }) {
                let haystack = text.utf8.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }
                let needle = part.utf8.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }
                guard needle.count <= haystack.count else { return false }
                return needle.isEmpty || (0...(haystack.count - needle.count)).contains { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
            }
            return text.range(of: part, options: [.caseInsensitive, .diacriticInsensitive]) != nil
        }
        if let items = container.arrayValue { return items.contains { equal($0, item) } }
        return false
    }

    struct Token: Sendable {
        enum Kind { case number, string, word, symbol }
        var kind: Kind
        var text: String
    }

    static func tokens(_ text: String) throws(KeelError) -> [Token] {
        var tokens: [Token] = []
        let characters = Array(text)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character.isWhitespace {
                index += 1
            } else if character.isNumber {
                var end = index
                while end < characters.count, characters[end].isNumber || characters[end] == "." || characters[end] == "_" { end += 1 }
                tokens.append(Token(kind: .number, text: String(characters[index..<end]).replacingOccurrences(of: "_", with: "")))
                index = end
            } else if character == "\"" || character == "'" {
                var end = index + 1
                var value = ""
                while end < characters.count, characters[end] != character {
                    if characters[end] == "\\", end + 1 < characters.count { end += 1 }
                    value.append(characters[end])
                    end += 1
                }
                guard end < characters.count else { throw KeelError(.invalidValue, "The rule '\(text)' has a string that does not end.") }
                tokens.append(Token(kind: .string, text: value))
                index = end + 1
            } else if character.isLetter || character == "_" {
                var end = index
                while end < characters.count, characters[end].isLetter || characters[end].isNumber || characters[end] == "_" || characters[end] == "."
                { end += 1 }
                tokens.append(Token(kind: .word, text: String(characters[index..<end])))
                index = end
            } else {
                let two = index + 1 < characters.count ? String(characters[index...index + 1]) : ""
                if ["==", "!=", "<=", ">="].contains(two) {
                    tokens.append(Token(kind: .symbol, text: two))
                    index += 2
                } else if "<>+-*/()[],".contains(character) {
                    tokens.append(Token(kind: .symbol, text: String(character)))
                    index += 1
                } else {
                    throw KeelError(.invalidValue, "The rule '\(text)' has '\(character)', which is no part of a rule.")
                }
            }
        }
        return tokens
    }

    struct Parser {
        let tokens: [Token]
        let text: String
        var position = 0

        func error(_ message: String) -> KeelError { KeelError(.invalidValue, "The rule '\(text)' does not read: \(message).") }

        func peek(_ word: String) -> Bool {
            position < tokens.count && tokens[position].text == word && tokens[position].kind != .string
        }

        mutating func take(_ word: String) -> Bool {
            guard peek(word) else { return false }
            position += 1
            return true
        }

        mutating func expression() throws(KeelError) -> RiskExpression {
            var left = try conjunction()
            while take("or") { left = .binary("or", left, try conjunction()) }
            return left
        }

        mutating func conjunction() throws(KeelError) -> RiskExpression {
            var left = try negation()
            while take("and") { left = .binary("and", left, try negation()) }
            return left
        }

        mutating func negation() throws(KeelError) -> RiskExpression {
            take("not") ? .not(try negation()) : try comparison()
        }

        mutating func comparison() throws(KeelError) -> RiskExpression {
            let left = try sum()
            for operation in ["==", "!=", "<=", ">=", "<", ">", "in", "contains_any", "contains", "matches"] where take(operation) {
                return .binary(operation, left, try sum())
            }
            return left
        }

        mutating func sum() throws(KeelError) -> RiskExpression {
            var left = try product()
            while true {
                if take("+") {
                    left = .binary("+", left, try product())
                } else if take("-") {
                    left = .binary("-", left, try product())
                } else {
                    return left
                }
            }
        }

        mutating func product() throws(KeelError) -> RiskExpression {
            var left = try unary()
            while true {
                if take("*") {
                    left = .binary("*", left, try unary())
                } else if take("/") {
                    left = .binary("/", left, try unary())
                } else {
                    return left
                }
            }
        }

        mutating func unary() throws(KeelError) -> RiskExpression {
            take("-") ? .negate(try unary()) : try postfix()
        }

        mutating func postfix() throws(KeelError) -> RiskExpression {
            var base = try primary()
            while take("[") {
                base = .lookup(base, try expression())
                guard take("]") else { throw error("a lookup's ']' is missing") }
            }
            return base
        }

        mutating func primary() throws(KeelError) -> RiskExpression {
            guard position < tokens.count else { throw error("it ends too soon") }
            let token = tokens[position]
            position += 1
            switch token.kind {
            case .number:
                guard let number = Double(token.text) else { throw error("'\(token.text)' is not a number") }
                return .literal(.double(number))
            case .string:
                return .literal(.string(token.text))
            case .word:
                switch token.text {
                case "true": return .literal(true)
                case "false": return .literal(false)
                case "null": return .literal(.null)
                case "and", "or", "not", "in", "contains", "contains_any", "matches": throw error("'\(token.text)' where a value should be")
                default: return .name(token.text.split(separator: ".").map(String.init))
                }
            case .symbol:
                if token.text == "(" {
                    let inner = try expression()
                    guard take(")") else { throw error("a ')' is missing") }
                    return inner
                }
                if token.text == "[" {
                    var items: [RiskExpression] = []
                    if take("]") { return .list(items) }
                    repeat { items.append(try expression()) } while take(",")
                    guard take("]") else { throw error("a list's ']' is missing") }
                    return .list(items)
                }
                throw error("'\(token.text)' where a value should be")
            }
        }
    }
}

extension JSONValue {
    /// Whether a rule's value counts as true: `true`, a non-zero number, a non-empty string or list.
    var isTruthy: Bool {
        switch self {
        case .bool(let flag): flag
        case .null: false
        case .string(let text): !text.isEmpty
        case .array(let items): !items.isEmpty
        case .object: true
        default: (doubleValue ?? 0) != 0
        }
    }
}
