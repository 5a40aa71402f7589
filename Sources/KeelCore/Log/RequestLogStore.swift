import Foundation

/// Where finished requests are kept.
public protocol RequestLogStore: Sendable {
    /// Appends records (with their attempts) in one transaction.
    func append(_ records: [RequestRecord]) async throws
    func requests(matching query: RequestQuery) async throws -> [RequestRecord]
    /// The cost of the requests since `since`, of the keys in `keyIDs` (all keys when `nil`) and
    /// the route `route` (all routes when `nil`).
    func spend(since: Date, keyIDs: [String]?, route: String?) async throws -> Money
}

/// A filter over the request log, newest first.
public struct RequestQuery: Sendable, Hashable {
    /// Only requests of these teams.
    public var scope: TeamScope
    /// Only the request with this id.
    public var id: String?
    public var route: String?
    public var keyID: String?
    public var status: Int?
    /// Only failed requests (status ≥ 400 or an error code).
    public var failedOnly: Bool
    public var since: Date?
    /// Only records older than this id's (for pagination), by start time then id.
    public var before: String?
    public var limit: Int
    /// Only the requests of this evaluation run.
    public var evaluationRun: String?

    public init(
        scope: TeamScope = .all,
        id: String? = nil,
        route: String? = nil,
        keyID: String? = nil,
        status: Int? = nil,
        failedOnly: Bool = false,
        since: Date? = nil,
        before: String? = nil,
        limit: Int = 50,
        evaluationRun: String? = nil
    ) {
        self.scope = scope
        self.id = id
        self.route = route
        self.keyID = keyID
        self.status = status
        self.failedOnly = failedOnly
        self.since = since
        self.before = before
        self.limit = limit
        self.evaluationRun = evaluationRun
    }
}

/// How the request log's writer keeps up: records waiting to be written, and records dropped
/// because too many were waiting (there should never be any).
public protocol RequestLogBacklog: Sendable {
    var queueDepth: Int { get }
    var droppedRecords: Int { get }
}
