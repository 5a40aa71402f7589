import Foundation

/// What Keel holds of one route that bears on its readiness: its configuration and the evidence
/// gathered from the stores, as of `now`. ``ReadinessReport`` judges it; nothing here reads a store.
public struct ReadinessEvidence: Sendable {
    /// A finished evaluation run of the route's production prompt version on its gate dataset.
    public struct Evaluation: Sendable {
        public var report: EvaluationReport
        /// What the route's gate says of the run on its own (its minimum pass rates).
        public var verdict: GateVerdict

        public init(report: EvaluationReport, verdict: GateVerdict) {
            self.report = report
            self.verdict = verdict
        }
    }

    /// A budget that caps the route's spend (its own, or its callers' team's or key's), and what
    /// its current window has spent.
    public struct BudgetStanding: Sendable, Hashable {
        public var budget: Budget
        public var spent: Money

        public init(budget: Budget, spent: Money) {
            self.budget = budget
            self.spent = spent
        }
    }

    public var route: Route
    public var now: Date
    /// How old a validation, an evaluation or a rehearsal may be and still count.
    public var maximumAge: TimeInterval
    /// Active keys that may decide reviews.
    public var reviewers = 0
    /// The route's reviews waiting for a decision.
    public var pendingReviews = 0
    public var validation: ValidationEvidence?
    /// The version the route's prompt reference names now (`triage@production` → 3), when it has one.
    public var productionVersion: Int?
    public var evaluation: Evaluation?
    public var rehearsal: RehearsalEvidence?
    public var budgets: [BudgetStanding] = []
    /// Where alerts go beyond the log (the webhook's host), when anywhere.
    public var alertChannel: String?
    /// Whether any alert is configured to fire (spend thresholds; drift alerts come with a monitor).
    public var alertsConfigured = false
    /// The route's latest drift judgement.
    public var drift: DriftJudgementRecord?

    public init(route: Route, now: Date, maximumAge: TimeInterval) {
        self.route = route
        self.now = now
        self.maximumAge = maximumAge
    }

    /// How long ago `date` was, in words (`3 days ago`), and whether it is past ``maximumAge``.
    func age(of date: Date) -> (words: String, stale: Bool) {
        let seconds = max(0, now.timeIntervalSince(date))
        let words =
            switch seconds {
            case ..<120: "just now"
            case ..<7200: "\(Int(seconds / 60)) minutes ago"
            case ..<172_800: "\(Int(seconds / 3600)) hours ago"
            default: "\(Int(seconds / 86_400)) days ago"
            }
        return (words, seconds > maximumAge)
    }

    /// The allowed age in days, for what is missing.
    var maximumDays: String { String(format: "%g", (maximumAge / 86_400 * 10).rounded() / 10) }
}
