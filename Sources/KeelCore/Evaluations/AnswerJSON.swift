import Foundation

/// An answer read as JSON: the whole text, or the inside of the one fenced code block models like
/// to wrap it in (```` ```json … ``` ````).
enum AnswerJSON {
    static func parse(_ answer: String) -> JSONValue? {
        let trimmed = answer.trimmingCharacters(in: .whitespacesAndNewlines)
        if let value = try? JSONParser.parse(trimmed) { return value }
        guard trimmed.hasPrefix("```"), trimmed.hasSuffix("```"), trimmed.count > 6 else { return nil }
        // The fence's language tag (```json), on the fence's line or run into the JSON.
        let inner = trimmed.dropFirst(3).dropLast(3).drop { $0.isLetter }
        return try? JSONParser.parse(String(inner))
    }
}

extension JSONValue {
    /// The value at a dotted path (`answer.items.0.name`): object fields by name, array items by index.
    public func value(at path: String) -> JSONValue? {
        var current = self
        for component in path.split(separator: ".", omittingEmptySubsequences: false).map(String.init) {
            switch current {
            case .object(let object):
                guard let next = object[component] else { return nil }
                current = next
            case .array(let items):
                guard let index = Int(component), items.indices.contains(index) else { return nil }
                current = items[index]
            default:
                return nil
            }
        }
        return current
    }
}
