import Foundation

/// Something wrong in a configuration file, with where it is and how to fix it.
public struct ConfigurationProblem: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable {
        case error, warning
    }

    public var severity: Severity
    /// The dotted path of the setting (`models.fast.price.input`).
    public var path: String
    public var line: Int?
    public var column: Int?
    public var message: String
    public var fix: String?

    public var description: String {
        let location = line.map { "\($0):\(column ?? 1): " } ?? ""
        return "\(location)\(severity.rawValue): \(path.isEmpty ? "" : "\(path): ")\(message)\(fix.map { " Fix: \($0)" } ?? "")"
    }
}

/// A configuration that could not be loaded, with every problem found.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var problems: [ConfigurationProblem]

    /// The text of `file`, or this error saying it cannot be read.
    static func text(of file: String) throws(ConfigurationError) -> String {
        do {
            return try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw ConfigurationError(
                file: file,
                problems: [ConfigurationProblem(severity: .error, path: "", message: "cannot read the file: \(error.localizedDescription)")]
            )
        }
    }

    public var description: String {
        "\(file) has \(problems.count) problem(s):\n" + problems.map { "  \(file):\($0)" }.joined(separator: "\n")
    }
}
