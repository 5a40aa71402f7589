import Foundation

/// What a reviewer decided, by whom, when and why.
public struct ReviewDecision: Sendable, Hashable {
    public enum Verdict: String, Sendable, Hashable, CaseIterable {
        /// The model's answer is released as it is.
        case approved
        /// The reviewer's text is released instead of the model's.
        case edited
        /// No answer is released: the client gets an error.
        case rejected

        var status: Review.Status {
            switch self {
            case .approved: .approved
            case .edited: .edited
            case .rejected: .rejected
            }
        }

        var outcome: Decision {
            switch self {
            case .approved: .humanApproved
            case .edited: .humanEdited
            case .rejected: .rejected
            }
        }
    }

    public var verdict: Verdict
    /// The name of the reviewer's key.
    public var reviewer: String
    public var decidedAt: Date
    public var reason: String?
    /// The released text, for an edit.
    public var edit: String?

    public init(verdict: Verdict, reviewer: String, decidedAt: Date, reason: String? = nil, edit: String? = nil) {
        self.verdict = verdict
        self.reviewer = reviewer
        self.decidedAt = decidedAt
        self.reason = reason
        self.edit = edit
    }
}

/// How a released answer was decided, as `x-keel-decision` tells its client.
public enum Decision: String, Sendable, Hashable, CaseIterable {
    /// A low-tier case: released as the model answered.
    case auto
    /// A medium-tier case whose answer passed the route's extra validation.
    case validated
    case humanApproved = "human-approved"
    case humanEdited = "human-edited"
    case rejected
}
