import Foundation

/// What reviewers, clients and the command line do with reviews, over the store every replica
/// shares: the same rules for `/api/reviews`, `/v1/reviews`, the dashboard and `keel review`.
/// Each reviewer sees and decides only their team's reviews (an admin's key, every team's).
public struct ReviewQueue: Sendable {
    public let store: any ReviewStore
    private let log: any RequestLogStore
    private let routes: [String: ReviewPolicy]
    private let audit: AuditTrail?
    private let clock: KeelClock

    /// `routes` gives each route's review policy (claims and SLAs; the defaults for others);
    /// decisions and contests go to `audit`.
    public init(
        store: any ReviewStore,
        log: any RequestLogStore,
        routes: [String: ReviewPolicy],
        audit: AuditTrail? = nil,
        clock: KeelClock = .system
    ) {
        self.store = store
        self.log = log
        self.routes = routes
        self.audit = audit
        self.clock = clock
    }

    /// Who decides: a name the decision records, and the teams whose reviews they may decide.
    public struct Reviewer: Sendable, Hashable {
        public var name: String
        public var scope: TeamScope

        public init(name: String, scope: TeamScope) {
            self.name = name
            self.scope = scope
        }

        /// The holder of `key`, by the key's name.
        public init(_ key: APIKey) { self.init(name: key.name, scope: key.scope) }
    }

    private func policy(_ route: String) -> ReviewPolicy { routes[route] ?? ReviewPolicy() }

    /// The newest reviews within `scope` in any of `statuses` (all when empty).
    public func list(_ statuses: Set<Review.Status>, in scope: TeamScope, limit: Int = 100) async throws -> [Review] {
        try await store.reviews(statuses: statuses, in: scope, now: clock.now(), limit: limit)
    }

    /// The review `id`, if `scope` may see it.
    public func review(_ id: String, in scope: TeamScope) async throws -> Review {
        guard let review = try await store.review(id: id), scope.includes(review.team) else {
            throw KeelError(.notFound, "There is no review '\(id)'.")
        }
        return review
    }

    /// The reviews of a request within `scope`: its hold and its contests, oldest first.
    public func reviews(ofRequest requestID: String, in scope: TeamScope) async throws -> [Review] {
        try await store.reviews(ofRequest: requestID).filter { scope.includes($0.team) }
    }

    /// Claims a review for `reviewer` for the route's `claim_minutes`.
    public func claim(_ id: String, by reviewer: Reviewer) async throws -> Review {
        let review = try await review(id, in: reviewer.scope)
        let now = clock.now()
        let expiry = now.addingTimeInterval(policy(review.route).claimMinutes * 60)
        if let claimed = try await store.claimReview(id: id, reviewer: reviewer.name, expiresAt: expiry, now: now) { return claimed }
        throw try await refusal(id)
    }

    /// Decides a review. An edit needs the text to release; a rejection needs a reason.
    public func decide(
        _ id: String,
        _ verdict: ReviewDecision.Verdict,
        reason: String?,
        edit: String?,
        by reviewer: Reviewer
    ) async throws -> Review {
        let reason = reason?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
        if verdict == .edited, edit == nil {
            throw KeelError(.missingField, "An edit needs the answer to release instead ('answer').", param: "answer")
        }
        if verdict == .rejected, reason == nil { throw KeelError(.missingField, "A rejection needs a reason.", param: "reason") }
        if verdict != .edited, edit != nil { throw KeelError(.invalidValue, "Only an edit releases another answer.", param: "answer") }
        _ = try await review(id, in: reviewer.scope)
        let now = clock.now()
        let decision = ReviewDecision(verdict: verdict, reviewer: reviewer.name, decidedAt: now, reason: reason, edit: edit)
        guard let decided = try await store.decideReview(id: id, decision: decision, now: now) else { throw try await refusal(id) }
        // The trail points at the review; what the case holds, and the reviewer's words, stay in it.
        let details = JSONObject([("verdict", .string(verdict.rawValue)), ("request_id", .string(decided.requestID))])
        try await audit?.record(AuditEvent("review_decided", actor: reviewer.name, subject: id, details: details))
        return decided
    }

    /// Decides a review as a request body says: `{"verdict": "approved"|"edited"|"rejected", "reason", "answer"}`.
    public func decide(_ id: String, body: JSONValue, by reviewer: Reviewer) async throws -> Review {
        let reader = try FieldReader(body: body)
        let verdict = try reader.required("verdict", "approved, edited or rejected") {
            $0.stringValue.flatMap(ReviewDecision.Verdict.init(rawValue:))
        }
        return try await decide(id, verdict, reason: try reader.string("reason"), edit: try reader.string("answer"), by: reviewer)
    }

    /// Why a claim or a decision did not land: the review is decided, or someone else holds it.
    private func refusal(_ id: String) async throws -> KeelError {
        guard let review = try await store.review(id: id) else { return KeelError(.notFound, "There is no review '\(id)'.") }
        if let decision = review.decision {
            return KeelError(.reviewDecided, "The review was already decided (\(decision.verdict.rawValue) by \(decision.reviewer)).")
        }
        let holder = review.claim
        var error = KeelError(
            .reviewClaimed,
            "\(holder?.reviewer ?? "Another reviewer") holds the review until \(holder.map { ISO8601DateFormatter.keel.string(from: $0.expiresAt) } ?? "their claim lapses")."
        )
        if let holder { error.details["claimed_by"] = .string(holder.reviewer) }
        return error
    }

    /// A held request as its client polls it: pending, or decided (its answer, or the rejection).
    /// The first look at a decided one counts as its delivery.
    public func poll(_ id: String, by key: APIKey) async throws -> Review {
        guard let review = try await store.review(id: id), review.kind == .hold, review.keyID == key.id || key.allows(.administer) else {
            throw KeelError(.notFound, "There is no review '\(id)' of this key's requests.")
        }
        guard review.decision != nil, review.deliveredAt == nil else { return review }
        _ = try await store.markDelivered(id: id, at: clock.now())
        return try await store.review(id: id) ?? review
    }

    /// The reviews of `key`'s own requests, newest first, for a client that lost its connection.
    public func reviews(of key: APIKey, limit: Int = 100) async throws -> [Review] {
        try await store.heldReviews(ofKey: key.id, limit: limit)
    }

    /// Contests a request as a request body says: `{"reason"}`.
    public func contest(_ requestID: String, body: JSONValue, by key: APIKey) async throws -> Review {
        try await contest(requestID, reason: try FieldReader(body: body).required("reason", "a string") { $0.stringValue }, by: key)
    }

    /// Sends an answer already released back to review: `reason` says what is wrong with it. The
    /// contest links to the request; its decision is the request's outcome.
    public func contest(_ requestID: String, reason: String, by key: APIKey) async throws -> Review {
        guard let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty else {
            throw KeelError(.missingField, "A contest needs a reason.", param: "reason")
        }
        var query = RequestQuery(scope: key.scope, id: requestID, limit: 1)
        // An application contests its own key's answers; readers, their team's.
        if !key.allows(.read) { query.keyID = key.id }
        guard let record = try await log.requests(matching: query).first else {
            throw KeelError(.notFound, "There is no request '\(requestID)' this key may contest.")
        }
        let earlier = try await store.reviews(ofRequest: requestID)
        if let open = earlier.first(where: { $0.decision == nil }) {
            throw KeelError(.reviewDecided, "The request is already under review (\(open.id)).")
        }
        guard record.status < 300 || earlier.contains(where: { $0.decision != nil }) else {
            throw KeelError(.invalidRequest, "Request '\(requestID)' gave no answer to contest (status \(record.status)).")
        }
        let hold = earlier.first { $0.kind == .hold }
        let answer =
            hold?.released
            ?? record.responseBody.flatMap { try? ChatCompletion(normalizing: JSONParser.parse($0), fallbackID: requestID, created: 0) }
        let request = hold?.request ?? record.requestBody.flatMap { try? JSONParser.parse($0).objectValue } ?? JSONObject()
        let now = clock.now()
        let review = Review(
            kind: .contest,
            requestID: requestID,
            route: record.route ?? "",
            team: record.team,
            keyID: record.keyID,
            tier: record.riskTier ?? hold?.tier ?? .low,
            category: hold?.category,
            reasons: ["contested: \(reason)"],
            request: request,
            answer: answer,
            createdAt: now,
            dueAt: now.addingTimeInterval(policy(record.route ?? "").slaMinutes * 60),
            contestReason: reason
        )
        try await store.holdReview(review)
        try await audit?.record(
            AuditEvent("review_contested", actor: key.name, subject: review.id, details: JSONObject([("request_id", .string(requestID))]))
        )
        return review
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
