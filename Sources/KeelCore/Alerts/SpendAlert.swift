/// A warning about spend, for the log and the alert webhook.
public struct SpendAlert: Alert, Hashable {
    public enum Kind: String, Sendable, Hashable {
        /// A day's spend crossed the configured daily threshold.
        case dailySpend = "daily_spend"
        /// A day's spend passed its trailing daily average times the configured factor.
        case dailySpendJump = "daily_spend_jump"
        /// A budget's spend passed its soft limit.
        case budgetSoftLimit = "budget_soft_limit"
    }

    public var kind: Kind
    /// What spent: `all` for the whole gateway, else a budget's scope and window (`team research, day`).
    public var subject: String
    public var spent: Money
    /// The figure that was crossed: the threshold, the jump's bar, or the soft limit.
    public var threshold: Money
    /// One sentence for people.
    public var message: String

    public init(kind: Kind, subject: String, spent: Money, threshold: Money, message: String) {
        self.kind = kind
        self.subject = subject
        self.spent = spent
        self.threshold = threshold
        self.message = message
    }

    /// The alert for a budget whose soft limit a settlement crossed.
    public init(_ alert: BudgetLedger.Alert) {
        let budget = alert.budget
        self.init(
            kind: .budgetSoftLimit,
            subject: "\(budget.scope), \(budget.window.rawValue)",
            spent: alert.spent,
            threshold: budget.softLimit ?? budget.limit,
            message: "The \(budget.window.rawValue) budget of \(budget.scope) passed its soft limit of \(budget.softLimit ?? budget.limit): "
                + "\(alert.spent) spent of \(budget.limit)."
        )
    }

    public var alertKind: String { kind.rawValue }

    public var logMetadata: [String: String] {
        ["alert": kind.rawValue, "subject": subject, "spent_usd": spent.dollarsText, "threshold_usd": threshold.dollarsText]
    }

    /// The webhook's body; `text` makes it readable by chat webhooks (Slack, Mattermost) as it is.
    public var json: JSONValue {
        [
            "kind": .string(kind.rawValue), "subject": .string(subject), "spent_usd": .double(spent.dollars),
            "threshold_usd": .double(threshold.dollars), "text": .string(message),
        ]
    }
}
