import Foundation
import Hummingbird
import KeelCore

/// The review queue over HTTP. `/v1/reviews`: a client polls its own held requests.
/// `/api/reviews`: reviewers list, claim and decide their team's; `/api/reviews/errors` is the error
/// distribution the decisions give. `/api/requests/{id}/contest` sends a released answer back to review.
public struct ReviewController: Sendable {
    let queue: ReviewQueue
    /// Writes the request log's queue now: a contest may come before its request's row is written.
    let flushLog: @Sendable () async -> Void
    let clock: KeelClock

    public init(queue: ReviewQueue, flushLog: @escaping @Sendable () async -> Void = {}, clock: KeelClock = .system) {
        self.queue = queue
        self.flushLog = flushLog
        self.clock = clock
    }

    public func addRoutes(to routes: KeelRoutes) {
        routes.get("/v1/reviews", access: .requires(.callModels)) { request, context in
            let reviews = try await queue.reviews(of: try context.caller(), limit: Self.limit(request))
            return .json(["object": "list", "data": .array(reviews.map { .object($0.clientJSON(at: clock.now())) })])
        }
        routes.get("/v1/reviews/{id}", access: .requires(.callModels)) { _, context in
            let review = try await queue.poll(try context.parameters.require("id"), by: try context.caller())
            var response = Response.json(.object(review.clientJSON(at: clock.now())))
            if let outcome = review.outcome { response.headers[.keelDecision] = outcome.rawValue }
            return response
        }
        routes.get("/api/reviews", access: .requires(.review)) { request, context in
            let statuses = try Self.statuses(request)
            let scope = try context.caller().scope
            let reviews =
                if let requestID = request.uri.queryParameters["request"] {
                    try await queue.reviews(ofRequest: String(requestID), in: scope).filter {
                        statuses.isEmpty || statuses.contains($0.status(at: clock.now()))
                    }
                } else {
                    try await queue.list(statuses, in: scope, limit: Self.limit(request))
                }
            return .json(["object": "list", "data": .array(reviews.map { .object($0.json(at: clock.now(), full: false)) })])
        }
        routes.get("/api/reviews/errors", access: .requires(.review)) { _, context in
            let decided = try await queue.list([.approved, .edited, .rejected], in: try context.caller().scope, limit: 100_000)
            return .json(.object(ReviewErrors(decided).json))
        }
        routes.get("/api/reviews/{id}", access: .requires(.review)) { _, context in
            let review = try await queue.review(try context.parameters.require("id"), in: try context.caller().scope)
            return .json(.object(review.json(at: clock.now(), full: true)))
        }
        routes.post("/api/reviews/{id}/claim", access: .requires(.review)) { _, context in
            let review = try await queue.claim(try context.parameters.require("id"), by: ReviewQueue.Reviewer(try context.caller()))
            return .json(.object(review.json(at: clock.now(), full: false)))
        }
        routes.post("/api/reviews/{id}/decision", access: .requires(.review)) { request, context in
            var request = request
            let body = try await request.jsonBody(limit: 1 << 20)
            let review = try await queue.decide(try context.parameters.require("id"), body: body, by: ReviewQueue.Reviewer(try context.caller()))
            return .json(.object(review.json(at: clock.now(), full: false)))
        }
        routes.post("/api/requests/{id}/contest", access: .requiresAny([.callModels, .read])) { request, context in
            var request = request
            let body = try await request.jsonBody(limit: 1 << 16)
            await flushLog()
            let review = try await queue.contest(try context.parameters.require("id"), body: body, by: try context.caller())
            return .json(.object(review.json(at: clock.now(), full: false)), status: .created)
        }
    }

    /// `?status=pending,claimed` (every status without one).
    static func statuses(_ request: Request) throws -> Set<Review.Status> {
        guard let given = request.uri.queryParameters["status"] else { return [] }
        var statuses: Set<Review.Status> = []
        for name in given.split(separator: ",") {
            guard let status = Review.Status(rawValue: String(name)) else {
                throw KeelError(.invalidValue, "'\(name)' is not a review status (pending, claimed, approved, edited, rejected).", param: "status")
            }
            statuses.insert(status)
        }
        return statuses
    }

    private static func limit(_ request: Request) -> Int {
        request.uri.queryParameters["limit"].flatMap { Int($0) }.map { min(max($0, 1), 500) } ?? 100
    }
}
