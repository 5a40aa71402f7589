import Foundation
import KeelCore
import PostgresNIO

extension PostgresStore: ReviewStore {
    public func holdReview(_ review: Review) async throws {
        try await execute(.with(ReviewRows.insert, ReviewRows.values(of: review).map(\.postgres)))
    }

    public func review(id: String) async throws -> Review? { try await fetch(ReviewRows.byID(id)).first }

    public func reviews(statuses: Set<Review.Status>, in scope: TeamScope, now: Date, limit: Int) async throws -> [Review] {
        try await fetch(ReviewRows.list(statuses: statuses, scope: scope, now: now, limit: limit))
    }

    public func reviews(ofRequest requestID: String) async throws -> [Review] { try await fetch(ReviewRows.ofRequest(requestID)) }

    public func heldReviews(ofKey keyID: String, limit: Int) async throws -> [Review] { try await fetch(ReviewRows.held(ofKey: keyID, limit: limit)) }

    public func claimReview(id: String, reviewer: String, expiresAt: Date, now: Date) async throws -> Review? {
        try await fetch(ReviewRows.claim(id: id, reviewer: reviewer, expiresAt: expiresAt, now: now)).first
    }

    public func decideReview(id: String, decision: ReviewDecision, now: Date) async throws -> Review? {
        try await fetch(ReviewRows.decide(id: id, decision: decision, now: now)).first
    }

    public func markDelivered(id: String, at: Date) async throws -> Bool { try await !fetch(ReviewRows.delivered(id: id, at: at)).isEmpty }

    public func overdueReviews(now: Date, limit: Int) async throws -> [Review] { try await fetch(ReviewRows.overdue(now: now, limit: limit)) }

    public func markEscalated(id: String, at: Date) async throws -> Bool { try await !fetch(ReviewRows.escalated(id: id, at: at)).isEmpty }

    public func undeliveredReviews(routes: [String], now: Date, limit: Int) async throws -> [Review] {
        try await fetch(ReviewRows.undelivered(routes: routes, now: now, limit: limit))
    }

    public func leaseDelivery(id: String, until: Date, now: Date) async throws -> Bool {
        try await !fetch(ReviewRows.lease(id: id, until: until, now: now)).isEmpty
    }

    private func fetch(_ query: StoredQuery) async throws -> [Review] {
        try await rows(.with(query.sql, query.values.map(\.postgres))).map { row in
            try ReviewRows.review(text: { try row.value($0, as: String?.self) }, real: { try row.value($0, as: Double?.self) })
        }
    }
}
