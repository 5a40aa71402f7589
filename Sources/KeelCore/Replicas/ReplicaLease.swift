import Foundation

/// A running Keel's claim on the work it has in flight — workflow steps, idempotency keys, budget
/// reservations. It renews the lease while it runs; when a lease expires, its replica is gone
/// (killed, or cut off from the database), and any other replica takes back what it held.
public struct ReplicaLease: Sendable, Hashable {
    public var id: String
    /// Where it runs, for `keel db status` and logs.
    public var host: String
    public var processID: Int
    public var startedAt: Date
    public var expiresAt: Date

    public init(id: String, host: String, processID: Int, startedAt: Date, expiresAt: Date) {
        self.id = id
        self.host = host
        self.processID = processID
        self.startedAt = startedAt
        self.expiresAt = expiresAt
    }

    /// A fresh replica id: `rep_` and 16 random characters.
    public static func makeID() -> String { RandomID.make(prefix: "rep_", length: 16) }
}

/// Where replicas' leases are kept.
public protocol ReplicaStore: Sendable {
    /// Records or extends `lease`.
    func renew(_ lease: ReplicaLease) async throws
    /// The replicas whose lease ended before `now`.
    func expired(at now: Date) async throws -> [String]
    /// The replicas whose lease runs at `now`.
    func live(at now: Date) async throws -> [ReplicaLease]
    /// Forgets a replica once what it held is recovered, or when it stops.
    func remove(_ id: String) async throws
}
