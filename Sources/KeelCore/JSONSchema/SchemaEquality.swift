/// JSON equality as JSON Schema has it for `const`, `enum` and `uniqueItems`: numbers by value (1
/// is 1.0), strings code point by code point (not Swift's canonical equivalence), objects
/// regardless of key order, arrays item by item.
enum SchemaEquality {
    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.integer(let x), .integer(let y)): x == y
        case (.integer, .double), (.double, .integer), (.double, .double): a.doubleValue == b.doubleValue
        case (.string(let x), .string(let y)): x.unicodeScalars.elementsEqual(y.unicodeScalars)
        case (.array(let x), .array(let y)): x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.object(let x), .object(let y)):
            x.count == y.count && x.entries.allSatisfy { entry in y[entry.key].map { equal(entry.value, $0) } ?? false }
        default: a == b
        }
    }

    static func hasDuplicates(_ items: [JSONValue]) -> Bool {
        for i in items.indices {
            for j in items.indices where j > i && equal(items[i], items[j]) { return true }
        }
        return false
    }
}
