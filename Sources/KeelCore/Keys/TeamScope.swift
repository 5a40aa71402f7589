/// Which teams' data a reader may see. Teams are Keel's tenants: a key sees its own team's
/// requests, costs, workflows and keys, and an admin key sees every team's.
public enum TeamScope: Sendable, Hashable {
    /// Every team's (admin keys, and the command line, which holds the database itself).
    case all
    /// One team's; `nil` is the keys and requests of no team.
    case team(String?)

    /// Whether data of `team` is visible in this scope.
    public func includes(_ team: String?) -> Bool {
        switch self {
        case .all: true
        case .team(let own): own == team
        }
    }
}
