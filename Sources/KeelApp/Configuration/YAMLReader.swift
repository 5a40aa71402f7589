import KeelCore
import Yams

/// Reads settings out of a YAML tree, collecting a ``ConfigurationProblem`` (with its line) for
/// every missing, mistyped or unknown key instead of stopping at the first.
///
/// A mapping of settings is read through ``section(_:_:_:)``: each setting is asked for once, by
/// name, and every key nothing asked for is reported as unknown — so a setting can never land in
/// another's field, and the list of known keys is the code that reads them.
final class YAMLReader {
    private(set) var problems: [ConfigurationProblem] = []

    func report(_ node: Node?, _ path: String, _ message: String, fix: String? = nil, severity: ConfigurationProblem.Severity = .error) {
        problems.append(
            ConfigurationProblem(severity: severity, path: path, line: node?.mark?.line, column: node?.mark?.column, message: message, fix: fix)
        )
    }

    /// Reads the mapping at `node` (absent: an empty one) with `read`, then reports the keys it did not ask for.
    func section<T>(_ node: Node?, _ path: String, _ read: (inout YAMLSection) -> T) -> T {
        var section = YAMLSection(reader: self, path: path, node: node, entries: entries(node, path))
        let result = read(&section)
        section.reportUnread()
        return result
    }

    /// The entries of a mapping whose keys are names (providers, models, routes), in order.
    func entries(_ node: Node?, _ path: String) -> [(key: String, node: Node)] {
        guard let node else { return [] }
        guard case .mapping(let mapping) = node else {
            report(node, path, "expected a mapping of keys to values.")
            return []
        }
        var entries: [(String, Node)] = []
        for (key, value) in mapping {
            guard let name = key.string else {
                report(key, path, "keys must be strings.")
                continue
            }
            entries.append((name, value))
        }
        return entries
    }

    /// The items of a sequence with their paths; anything else is reported with `fix`.
    func items(_ node: Node?, _ path: String, fix: String) -> [(path: String, node: Node)] {
        guard let node else { return [] }
        guard case .sequence(let sequence) = node else {
            report(node, path, "expected a list.", fix: fix)
            return []
        }
        return sequence.enumerated().map { ("\(path).\($0.offset)", $0.element) }
    }

    func string(_ node: Node?, _ path: String) -> String? {
        guard let node else { return nil }
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else {
            report(node, path, "expected a text value.")
            return nil
        }
        return scalar.string
    }

    func bool(_ node: Node?, _ path: String) -> Bool? {
        guard let node else { return nil }
        guard let value = node.bool else {
            report(node, path, "expected true or false.")
            return nil
        }
        return value
    }

    func integer(_ node: Node?, _ path: String, in range: ClosedRange<Int>) -> Int? {
        guard let node else { return nil }
        guard let value = node.int else {
            report(node, path, "expected a whole number.", fix: "write a number between \(range.lowerBound) and \(range.upperBound).")
            return nil
        }
        guard range.contains(value) else {
            report(node, path, "\(value) is out of range.", fix: "use a number between \(range.lowerBound) and \(range.upperBound).")
            return nil
        }
        return value
    }

    func number(_ node: Node?, _ path: String, in range: ClosedRange<Double>) -> Double? {
        guard let node else { return nil }
        guard let value = node.float ?? node.int.map(Double.init) else {
            report(node, path, "expected a number.")
            return nil
        }
        guard range.contains(value) else {
            report(node, path, "\(value) is out of range.", fix: "use a number between \(range.lowerBound) and \(range.upperBound).")
            return nil
        }
        return value
    }

    func choice<T: RawRepresentable & CaseIterable>(_ node: Node?, _ path: String, as type: T.Type) -> T? where T.RawValue == String {
        guard let text = string(node, path) else { return nil }
        guard let value = T(rawValue: text) else {
            let options = T.allCases.map(\.rawValue).joined(separator: ", ")
            report(node, path, "'\(text)' is not a valid value.", fix: "use one of: \(options).")
            return nil
        }
        return value
    }

    /// The known name nearest to `name` by edit distance, when it is near enough to be a typo.
    static func closest(to name: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, editDistance(name, $0)) }.min { $0.1 < $1.1 }
        guard let (candidate, distance) = scored, distance <= max(2, name.count / 3) else { return nil }
        return candidate
    }

    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

/// One mapping of settings being read: each ask names its key, which is then known; see
/// ``YAMLReader/section(_:_:_:)``.
struct YAMLSection {
    let reader: YAMLReader
    /// The mapping's dotted path (empty at the top).
    let path: String
    /// The mapping itself, for problems about it as a whole.
    let node: Node?
    private let entries: [(key: String, node: Node)]
    private var asked: [String] = []

    init(reader: YAMLReader, path: String, node: Node?, entries: [(key: String, node: Node)]) {
        self.reader = reader
        self.path = path
        self.node = node
        self.entries = entries
    }

    /// The dotted path of `key` in this mapping.
    func path(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The value of `key`, if the mapping has it; `key` is known from now on.
    mutating func node(_ key: String) -> Node? {
        asked.append(key)
        return entries.first { $0.key == key }?.node
    }

    mutating func string(_ key: String) -> String? { reader.string(node(key), path(key)) }
    mutating func bool(_ key: String) -> Bool? { reader.bool(node(key), path(key)) }
    mutating func integer(_ key: String, in range: ClosedRange<Int>) -> Int? { reader.integer(node(key), path(key), in: range) }
    mutating func number(_ key: String, in range: ClosedRange<Double>) -> Double? { reader.number(node(key), path(key), in: range) }

    /// A number of seconds in `range`, as a duration.
    mutating func seconds(_ key: String, in range: ClosedRange<Double>) -> Duration? {
        number(key, in: range).map { .nanoseconds(Int64(saturating: $0 * 1e9)) }
    }

    mutating func choice<T: RawRepresentable & CaseIterable>(_ key: String, as type: T.Type) -> T? where T.RawValue == String {
        reader.choice(node(key), path(key), as: type)
    }

    /// Reads the mapping under `key` as a section of its own.
    mutating func section<T>(_ key: String, _ read: (inout YAMLSection) -> T) -> T {
        reader.section(node(key), path(key), read)
    }

    /// Reports `message` about `key` (or the whole mapping when the key is absent).
    mutating func report(_ key: String, _ message: String, fix: String? = nil) {
        reader.report(node(key) ?? node, path(key), message, fix: fix)
    }

    /// Gives up on the rest of a mapping already in error: its other keys are not reported.
    mutating func abandon() {
        asked += entries.map(\.key)
    }

    /// Reports every key nothing asked for.
    fileprivate func reportUnread() {
        for (key, node) in entries where !asked.contains(key) {
            let suggestion = YAMLReader.closest(to: key, in: asked)
            reader.report(
                node,
                path(key),
                "unknown setting '\(key)'.",
                fix: suggestion.map { "did you mean '\($0)'?" } ?? "known settings here: \(asked.joined(separator: ", "))."
            )
        }
    }
}
