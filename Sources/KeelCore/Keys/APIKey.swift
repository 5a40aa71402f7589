import Foundation

/// A client's key as Keel stores it: never the secret, only its hash.
public struct APIKey: Sendable, Hashable {
    /// What a key may do, as a set of ``Permission``s; see ``permissions``.
    public enum Role: String, Sendable, Hashable, CaseIterable {
        /// An application: calls models, completes its own workflows.
        case app
        /// Reads its team's requests, costs, workflows and the dashboard; changes nothing.
        case viewer
        /// A viewer who also decides what the review queue holds.
        case reviewer
        /// A viewer who also runs its team's operations: workflows, prompts, evaluations.
        case `operator`
        /// Everything, for every team.
        case admin

        /// What the role may do.
        public var permissions: Set<Permission> {
            switch self {
            case .app: [.callModels, .completeOwnWorkflows]
            case .viewer: [.read]
            case .reviewer: [.read, .review]
            case .operator: [.read, .operate]
            case .admin: Set(Permission.allCases)
            }
        }
    }

    /// One thing a route may require of its caller.
    public enum Permission: String, Sendable, Hashable, CaseIterable {
        /// `/v1`: chat completions, embeddings, models.
        case callModels = "call_models"
        /// Complete the workflows the key started.
        case completeOwnWorkflows = "complete_own_workflows"
        /// The request log, cost and workflow reports, breakers, the dashboard: the caller's team's.
        case read
        /// Decide held requests and contests.
        case review
        /// Operate the team's workflows (complete any of them), prompts and evaluations.
        case operate
        /// `GET /metrics`, whose figures cover every team.
        case readMetrics = "read_metrics"
        /// Create, list and revoke keys; see every team.
        case administer
    }

    public var id: String
    public var name: String
    public var role: Role
    /// The first characters of the secret, to recognise a key in lists.
    public var prefix: String
    /// SHA-256 of the secret, hex.
    public var hash: String
    /// The team the key belongs to: its tenant, for what it may read, for budgets and cost reports.
    public var team: String?
    public var createdAt: Date
    public var revokedAt: Date?
    /// When the key stops working, if it does.
    public var expiresAt: Date?

    public init(
        id: String,
        name: String,
        role: Role,
        prefix: String,
        hash: String,
        team: String? = nil,
        createdAt: Date,
        revokedAt: Date? = nil,
        expiresAt: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.role = role
        self.prefix = prefix
        self.hash = hash
        self.team = team
        self.createdAt = createdAt
        self.revokedAt = revokedAt
        self.expiresAt = expiresAt
    }

    public func allows(_ permission: Permission) -> Bool { role.permissions.contains(permission) }

    /// Whether the key may be used at `now`: not revoked, not expired.
    public func isActive(at now: Date) -> Bool {
        revokedAt == nil && (expiresAt.map { now < $0 } ?? true)
    }

    /// What the key may read: everything for an admin, else its own team's.
    public var scope: TeamScope { allows(.administer) ? .all : .team(team) }
}
