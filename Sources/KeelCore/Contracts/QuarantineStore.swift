import Foundation

/// A request a route's contract refused and kept, with its reasons, for a fix and a replay: the
/// body as the client sent it (it holds the record, personal data included, until retention purges it).
public struct QuarantinedRequest: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable, CaseIterable {
        /// Waiting for a fix.
        case held
        /// Checked again after a fix and sent on, as ``QuarantinedRequest/replayedAs``.
        case replayed
    }

    public var id: String
    public var route: String
    public var team: String?
    public var keyID: String?
    public var receivedAt: Date
    /// The request's body, as the client sent it.
    public var body: String
    public var problems: [ContractProblem]
    public var status: Status
    public var replayedAs: String?
    public var resolvedAt: Date?

    public init(
        id: String = RandomID.make(prefix: "qr_"),
        route: String,
        team: String?,
        keyID: String?,
        receivedAt: Date,
        body: String,
        problems: [ContractProblem],
        status: Status = .held,
        replayedAs: String? = nil,
        resolvedAt: Date? = nil
    ) {
        self.id = id
        self.route = route
        self.team = team
        self.keyID = keyID
        self.receivedAt = receivedAt
        self.body = body
        self.problems = problems
        self.status = status
        self.replayedAs = replayedAs
        self.resolvedAt = resolvedAt
    }

    /// `{"id", "route", "team", "received_at", "status", "problems", …}`; with `body`, the request's body too.
    public func json(body withBody: Bool) -> JSONObject {
        var object = JSONObject([
            ("id", .string(id)), ("route", .string(route)), ("team", JSONValue(team)), ("received_at", .string(receivedAt.formatted(.iso8601))),
            ("status", .string(status.rawValue)), ("problems", .array(problems.map(\.json))), ("replayed_as", JSONValue(replayedAs)),
        ])
        if withBody { object["body"] = (try? JSONParser.parse(body)) ?? .string(body) }
        return object
    }
}

/// Storage for quarantined requests, and for the business keys a contract's dedupe has accepted.
public protocol QuarantineStore: Sendable {
    func quarantine(_ request: QuarantinedRequest) async throws
    func quarantined(id: String) async throws -> QuarantinedRequest?
    /// The newest quarantined requests of `route` (any route when `nil`) with `status`, within `scope`.
    func quarantined(route: String?, status: QuarantinedRequest.Status?, in scope: TeamScope, limit: Int) async throws -> [QuarantinedRequest]
    /// Marks a held request replayed as `requestID`; returns whether it was held.
    @discardableResult
    func markReplayed(id: String, as requestID: String, at: Date) async throws -> Bool

    /// Claims `key` of `route` for `requestID` until `expiresAt`: returns `nil` when claimed (the key
    /// was free or its claim had expired by `now`), else the request that holds it.
    func claimKey(route: String, key: String, requestID: String, expiresAt: Date, now: Date) async throws -> String?
    /// Gives a key back, if `requestID` holds it (its request failed, so a resend is welcome).
    func releaseKey(route: String, key: String, requestID: String) async throws
}

extension ContractProblem {
    public init(json value: JSONValue) throws(KeelError) {
        let reader = try FieldReader(body: value)
        self.init(
            field: try reader.required("field", "a string") { $0.stringValue },
            code: try reader.required("code", "a problem code") { $0.stringValue.flatMap(Code.init(rawValue:)) },
            message: try reader.required("message", "a string") { $0.stringValue }
        )
    }
}
