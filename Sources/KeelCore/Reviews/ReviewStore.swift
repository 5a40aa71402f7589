import Foundation

/// Storage for reviews, shared by every replica: a case held on one replica is claimed and decided
/// on any other, and its client released by whichever holds its connection. Each change is one
/// atomic statement, so that two reviewers (or two replicas) never both win.
public protocol ReviewStore: Sendable {
    func holdReview(_ review: Review) async throws
    func review(id: String) async throws -> Review?
    /// The newest reviews within `scope` in any of `statuses` at `now` (every status when empty).
    func reviews(statuses: Set<Review.Status>, in scope: TeamScope, now: Date, limit: Int) async throws -> [Review]
    /// The reviews of a request: its hold and any contests, oldest first.
    func reviews(ofRequest requestID: String) async throws -> [Review]
    /// The requests `keyID` made that were held, newest first.
    func heldReviews(ofKey keyID: String, limit: Int) async throws -> [Review]

    /// Claims an undecided review for `reviewer` until `expiresAt`, if it is unclaimed, its claim
    /// lapsed by `now`, or the reviewer holds it; returns the review as it now is, or `nil` when not claimed.
    func claimReview(id: String, reviewer: String, expiresAt: Date, now: Date) async throws -> Review?
    /// Records `decision`, if the review is undecided and not claimed by someone else at `now`;
    /// returns the decided review, or `nil` when the decision did not land.
    func decideReview(id: String, decision: ReviewDecision, now: Date) async throws -> Review?
    /// Marks a decided review's answer delivered to its client; `true` only for the first caller.
    func markDelivered(id: String, at: Date) async throws -> Bool

    /// Undecided reviews past their due time and not yet escalated.
    func overdueReviews(now: Date, limit: Int) async throws -> [Review]
    /// Marks a review escalated; `true` only for the first caller, which raises the alert.
    func markEscalated(id: String, at: Date) async throws -> Bool
    /// Decided, undelivered reviews whose route has a callback, free for a sender to lease at `now`.
    func undeliveredReviews(routes: [String], now: Date, limit: Int) async throws -> [Review]
    /// Leases a review's callback until `until`, so that one sender at a time tries it; `true` when leased.
    func leaseDelivery(id: String, until: Date, now: Date) async throws -> Bool
}
