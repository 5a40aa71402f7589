/// How a request, a route or a command names a prompt: a version number, a label, or the latest
/// version. Written `NAME`, `NAME@3` or `NAME@production`.
public struct PromptReference: Sendable, Hashable, CustomStringConvertible {
    public enum Selector: Sendable, Hashable {
        case latest
        case version(Int)
        case label(String)
    }

    public var name: String
    public var selector: Selector

    public init(name: String, selector: Selector) {
        self.name = name
        self.selector = selector
    }

    /// Reads `NAME`, `NAME@VERSION` or `NAME@LABEL`.
    public init(parsing text: String) throws(KeelError) {
        let parts = text.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        if let problem = RegistryName.problem(with: parts[0]) { throw KeelError(.invalidValue, problem) }
        name = parts[0]
        guard parts.count == 2 else {
            selector = .latest
            return
        }
        selector = try Self.selector(version: Int(parts[1]) == nil ? nil : parts[1], label: Int(parts[1]) == nil ? parts[1] : nil)
    }

    /// The selector for a `version` (digits) or a `label`, at most one of them.
    public static func selector(version: String?, label: String?) throws(KeelError) -> Selector {
        switch (version, label) {
        case (nil, nil): return .latest
        case (let version?, nil):
            guard let number = Int(version), number >= 1 else {
                throw KeelError(.invalidValue, "A prompt version is a number from 1, not '\(version)'.", param: "prompt.version")
            }
            return .version(number)
        case (nil, let label?):
            guard RegistryName.problem(with: label) == nil else {
                throw KeelError(.invalidValue, "'\(label)' is not a label name (letters, digits, '.', '_' or '-').", param: "prompt.label")
            }
            return .label(label)
        case (.some, .some):
            throw KeelError(.invalidValue, "Name a prompt's version or its label, not both.", param: "prompt")
        }
    }

    public var description: String {
        switch selector {
        case .latest: name
        case .version(let number): "\(name)@\(number)"
        case .label(let label): "\(name)@\(label)"
        }
    }
}
