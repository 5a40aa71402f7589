import Foundation

/// A name in one of Keel's registries (prompts, datasets), within a team: each team names its
/// entries freely, and entries of no team are shared by every team.
public struct RegistryName: Sendable, Hashable, CustomStringConvertible {
    public var team: String?
    public var name: String

    public init(team: String?, name: String) {
        self.team = team
        self.name = name
    }

    public var description: String { team.map { "\($0)/\(name)" } ?? name }

    /// Names are 1 to 100 letters, digits, `.`, `_` or `-`.
    public static func problem(with name: String) -> String? {
        name.range(of: #"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"#, options: .regularExpression) == nil
            ? "'\(name)' is not a name (1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit)." : nil
    }
}
