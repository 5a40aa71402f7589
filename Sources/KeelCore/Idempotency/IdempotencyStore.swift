import Foundation

/// An `Idempotency-Key`, scoped to the API key that sent it: two callers never share answers.
public struct IdempotencyKey: Sendable, Hashable {
    /// The id of the API key that sent it.
    public var scope: String
    public var key: String

    public init(scope: String, key: String) {
        self.scope = scope
        self.key = key
    }
}

/// What a claim on an idempotency key found.
public enum IdempotencyClaim: Sendable {
    /// The key is this request's to answer: it was free, expired, or held by a request that was
    /// interrupted (the replica running it stopped and its lease expired).
    case claimed
    /// A request with the same key and body has answered; here is its answer.
    case answered(StoredResponse, requestID: String)
    /// Another request with the key is running (on this replica or another).
    case running
    /// The key was used with a different request body.
    case mismatch
}

/// Where idempotency keys and their answers are kept, durably.
public protocol IdempotencyStore: Sendable {
    /// Claims `key` for the request `requestID`, run by `replica`, whose body has `fingerprint`,
    /// unless it is held.
    func claim(
        _ key: IdempotencyKey,
        fingerprint: String,
        requestID: String,
        replica: String,
        now: Date,
        expires: Date
    ) async throws -> IdempotencyClaim
    /// Keeps the answer of the claiming request for its repeats.
    func answer(_ key: IdempotencyKey, with response: StoredResponse) async throws
    /// Frees the key of a request that failed, so that a repeat runs again.
    func release(_ key: IdempotencyKey) async throws
    /// Frees the keys `replica` was answering (its lease expired), and forgets keys expired by `now`.
    func interruptKeys(of replica: String, now: Date) async throws
}
