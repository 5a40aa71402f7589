import Foundation

/// What a retention period applies to: each kind of data Keel keeps that may hold what a person
/// sent, or what was decided about it.
public enum DataClass: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Request and response bodies in the log, and quarantined requests.
    case bodies
    /// The request log's `metadata`.
    case metadata
    /// Workflows idle past the period: their steps (messages and answers) and summaries.
    case workflowSteps = "workflow_steps"
    /// Decided reviews (with the case they held); pending ones are kept until decided.
    case reviews
    /// The audit trail's records (a purge leaves a record saying where the trail now starts).
    case audit

    /// The configuration key of the class's period.
    public var key: String { rawValue + "_days" }

    public static func < (lhs: DataClass, rhs: DataClass) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// Which routes' data a purge or a count covers: one route's, or every other route's (those
/// without a period of their own for the class, and requests with no route).
public enum RetentionScope: Sendable, Hashable, CustomStringConvertible {
    case route(String)
    case others(excluding: [String])

    public var description: String {
        switch self {
        case .route(let name): name
        case .others(let excluded): excluded.isEmpty ? "every route" : "every other route"
        }
    }
}

/// What a store holds of a class in a scope: how many items are past a period, and the oldest item's date.
public struct RetainedData: Sendable, Hashable {
    public var expired: Int
    public var oldest: Date?

    public init(expired: Int, oldest: Date?) {
        self.expired = expired
        self.oldest = oldest
    }
}
