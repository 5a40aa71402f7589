import Foundation
import GRDB
import KeelCore

extension SQLiteStore: ReviewStore {
    public func holdReview(_ review: Review) async throws {
        try await pool.write { db in
            try db.execute(sql: ReviewRows.insert, arguments: .storable(ReviewRows.values(of: review).map(\.sqlite)))
        }
    }

    public func review(id: String) async throws -> Review? { try await read(ReviewRows.byID(id)).first }

    public func reviews(statuses: Set<Review.Status>, in scope: TeamScope, now: Date, limit: Int) async throws -> [Review] {
        try await read(ReviewRows.list(statuses: statuses, scope: scope, now: now, limit: limit))
    }

    public func reviews(ofRequest requestID: String) async throws -> [Review] { try await read(ReviewRows.ofRequest(requestID)) }

    public func heldReviews(ofKey keyID: String, limit: Int) async throws -> [Review] { try await read(ReviewRows.held(ofKey: keyID, limit: limit)) }

    public func claimReview(id: String, reviewer: String, expiresAt: Date, now: Date) async throws -> Review? {
        try await write(ReviewRows.claim(id: id, reviewer: reviewer, expiresAt: expiresAt, now: now)).first
    }

    public func decideReview(id: String, decision: ReviewDecision, now: Date) async throws -> Review? {
        try await write(ReviewRows.decide(id: id, decision: decision, now: now)).first
    }

    public func markDelivered(id: String, at: Date) async throws -> Bool { try await !write(ReviewRows.delivered(id: id, at: at)).isEmpty }

    public func overdueReviews(now: Date, limit: Int) async throws -> [Review] { try await read(ReviewRows.overdue(now: now, limit: limit)) }

    public func markEscalated(id: String, at: Date) async throws -> Bool { try await !write(ReviewRows.escalated(id: id, at: at)).isEmpty }

    public func undeliveredReviews(routes: [String], now: Date, limit: Int) async throws -> [Review] {
        try await read(ReviewRows.undelivered(routes: routes, now: now, limit: limit))
    }

    public func leaseDelivery(id: String, until: Date, now: Date) async throws -> Bool {
        try await !write(ReviewRows.lease(id: id, until: until, now: now)).isEmpty
    }

    private func read(_ query: StoredQuery) async throws -> [Review] {
        try await pool.read { db in try Row.fetchAll(db, sql: query.sql, arguments: .storable(query.values.map(\.sqlite))).map(Self.review) }
    }

    private func write(_ query: StoredQuery) async throws -> [Review] {
        try await pool.write { db in try Row.fetchAll(db, sql: query.sql, arguments: .storable(query.values.map(\.sqlite))).map(Self.review) }
    }

    private static func review(_ row: Row) throws -> Review { try ReviewRows.review(text: { row[$0] }, real: { row[$0] }) }
}
