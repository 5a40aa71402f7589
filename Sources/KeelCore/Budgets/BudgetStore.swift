import Foundation

/// One budget's account for one window: what the database keeps for it, shared by every replica.
public struct BudgetAccount: Sendable, Hashable {
    /// The budget's stable name (``Budget/accountName``), which configuration reloads keep.
    public var budget: String
    /// The start of the window the account covers.
    public var windowStart: Date

    public init(budget: String, windowStart: Date) {
        self.budget = budget
        self.windowStart = windowStart
    }
}

/// An account's spend: settled by finished requests, and reserved by requests still running.
public struct BudgetBalance: Sendable, Hashable {
    public var settled: Money
    public var reserved: Money

    public init(settled: Money, reserved: Money) {
        self.settled = settled
        self.reserved = reserved
    }

    public var committed: Money { settled + reserved }
}

/// What a reservation found: the accounts' balances with it, or the first account it would overrun.
public enum BudgetReservationOutcome: Sendable, Hashable {
    case reserved([BudgetBalance])
    /// The account at `index` has `balance`, which this amount would take past its limit.
    case refused(index: Int, balance: BudgetBalance)
}

/// Where budget accounts live, so that every replica reserves against the same spend.
///
/// A reservation is checked and taken in one transaction over all its accounts: however many
/// requests run at once on however many replicas, an account's settled and reserved spend never
/// passes its limit, and a limit is overrun only by what a request's real cost exceeds its
/// reservation.
public protocol BudgetStore: Sendable {
    /// Opens `account` with `opening` spend unless it is open already (another replica may have opened it).
    func open(_ account: BudgetAccount, opening: Money) async throws
    /// Reserves `amount` under `id` for `replica` against every account, all or none: refused when any
    /// account's settled and reserved spend would pass its limit.
    func reserve(
        id: String,
        amount: Money,
        against accounts: [(account: BudgetAccount, limit: Money)],
        replica: String
    ) async throws
        -> BudgetReservationOutcome
    /// Replaces the reservation `id` by the request's real `cost`; returns each account's balance
    /// after it, and its settled spend before it, in the reservation's order (empty when `id` was
    /// settled already).
    func settle(id: String, cost: Money) async throws -> [(before: Money, after: BudgetBalance)]
    /// The balances of `accounts`; an account not open yet has none.
    func balances(of accounts: [BudgetAccount]) async throws -> [BudgetAccount: BudgetBalance]
    /// Drops the reservations of `replica`, whose lease expired (their requests never finished);
    /// returns how many.
    func releaseReservations(of replica: String) async throws -> Int
}
