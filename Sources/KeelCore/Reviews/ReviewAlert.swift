import Foundation

/// A review passed its route's SLA undecided: someone must look at the queue. It names the review,
/// never what the case holds.
public struct ReviewAlert: Alert, Hashable {
    public var reviewID: String
    public var route: String
    public var tier: RiskTier
    public var createdAt: Date
    public var dueAt: Date

    public init(_ review: Review) {
        reviewID = review.id
        route = review.route
        tier = review.tier
        createdAt = review.createdAt
        dueAt = review.dueAt
    }

    public var alertKind: String { "review_overdue" }

    public var message: String {
        "Review \(reviewID) (route \(route), \(tier.rawValue) tier) is undecided past its SLA (due \(ISO8601DateFormatter.keel.string(from: dueAt)))."
    }

    public var json: JSONValue {
        [
            "kind": .string(alertKind), "review_id": .string(reviewID), "route": .string(route), "tier": .string(tier.rawValue),
            "created_at": .string(ISO8601DateFormatter.keel.string(from: createdAt)),
            "due_at": .string(ISO8601DateFormatter.keel.string(from: dueAt)),
            "text": .string(message),
        ]
    }

    public var logMetadata: [String: String] { ["alert": alertKind, "review_id": reviewID, "route": route, "tier": tier.rawValue] }
}
