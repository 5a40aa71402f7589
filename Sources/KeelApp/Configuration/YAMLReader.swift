import Yams

/// Reads settings out of a YAML tree, collecting a ``ConfigurationProblem`` (with its line) for
/// every missing, mistyped or unknown key instead of stopping at the first.
struct YAMLReader {
    private(set) var problems: [ConfigurationProblem] = []

    mutating func report(_ node: Node?, _ path: String, _ message: String, fix: String? = nil, severity: ConfigurationProblem.Severity = .error) {
        problems.append(
            ConfigurationProblem(severity: severity, path: path, line: node?.mark?.line, column: node?.mark?.column, message: message, fix: fix)
        )
    }

    /// The entries of a mapping, reporting keys that are not in `allowed` (with the closest known key).
    mutating func mapping(_ node: Node?, _ path: String, allowed: [String]? = nil) -> [(key: String, node: Node)] {
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
            let child = path.isEmpty ? name : "\(path).\(name)"
            if let allowed, !allowed.contains(name) {
                let suggestion = Self.closest(to: name, in: allowed)
                report(
                    key,
                    child,
                    "unknown setting '\(name)'.",
                    fix: suggestion.map { "did you mean '\($0)'?" } ?? "known settings here: \(allowed.joined(separator: ", "))."
                )
                continue
            }
            entries.append((name, value))
        }
        return entries
    }

    mutating func string(_ node: Node?, _ path: String) -> String? {
        guard let node else { return nil }
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else {
            report(node, path, "expected a text value.")
            return nil
        }
        return scalar.string
    }

    mutating func bool(_ node: Node?, _ path: String) -> Bool? {
        guard let node else { return nil }
        guard let value = node.bool else {
            report(node, path, "expected true or false.")
            return nil
        }
        return value
    }

    mutating func integer(_ node: Node?, _ path: String, in range: ClosedRange<Int>) -> Int? {
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

    mutating func number(_ node: Node?, _ path: String, in range: ClosedRange<Double>) -> Double? {
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

    mutating func choice<T: RawRepresentable & CaseIterable>(_ node: Node?, _ path: String, as type: T.Type) -> T? where T.RawValue == String {
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
