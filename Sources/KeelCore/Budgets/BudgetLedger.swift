import Foundation
import Synchronization

/// Every budget's spend in its current window, kept in the database so that all replicas share it.
///
/// A request reserves its worst case before its upstream call and settles its real cost after; a
/// reservation that would take any of its budgets past the limit is refused whole (see
/// ``BudgetStore``). So however many requests run at once, on however many replicas, a limit is
/// overrun only by what one request's worst case underestimated. An account is opened, the first
/// time a window is used, with what the request log says its scope spent in that window; windows
/// roll over by the injected clock.
public final class BudgetLedger: Sendable {
    /// What a request holds until it settles.
    public struct Reservation: Sendable {
        public let id: String
        fileprivate let budgets: [Budget]
        public let amount: Money
        /// What is left of the tightest budget once this is reserved.
        public let remaining: Money?
    }

    /// A budget whose soft limit a settlement crossed.
    public struct Alert: Sendable {
        public var budget: Budget
        public var spent: Money
    }

    /// What the request log says `budget`'s scope spent since a window's start.
    public typealias Opening = @Sendable (_ budget: Budget, _ since: Date) async throws -> Money

    public let budgets: [Budget]
    private let store: any BudgetStore
    private let replica: String
    private let opening: Opening
    private let clock: KeelClock
    /// Accounts this replica has seen open, so that it opens each at most once.
    private let opened = Mutex<Set<BudgetAccount>>([])

    public init(budgets: [Budget], store: any BudgetStore, replica: String, clock: KeelClock, opening: @escaping Opening) {
        self.budgets = budgets
        self.store = store
        self.replica = replica
        self.clock = clock
        self.opening = opening
    }

    /// Reserves `amount` for the request `id` against every budget in `applicable`, or throws
    /// `budget_exceeded` (reserving nothing).
    public func reserve(_ amount: Money, for id: String, against applicable: [Budget]) async throws -> Reservation {
        let now = clock.now()
        let accounts = try await openAccounts(applicable, at: now)
        let outcome = try await store.reserve(
            id: id,
            amount: amount,
            against: zip(applicable, accounts).map { ($1, $0.limit) },
            replica: replica
        )
        switch outcome {
        case .reserved(let balances):
            let remaining = zip(applicable, balances).map { $0.limit - $1.committed }.min()
            return Reservation(id: id, budgets: applicable, amount: amount, remaining: remaining)
        case .refused(let index, let balance):
            let budget = applicable[index]
            let next = budget.window.bounds(of: now).next
            throw KeelError(
                .budgetExceeded,
                "The \(budget.window.rawValue) budget of \(budget.scope) (\(budget.limit)) would be exceeded: "
                    + "\(balance.committed) spent or reserved, this request may cost up to \(amount).",
                retryAfter: next.map { max(1, Int($0.timeIntervalSince(now).rounded(.up))) }
            )
        }
    }

    /// Replaces a reservation by the request's real cost; returns what is left of the tightest
    /// budget and the soft limits this crossed.
    public func settle(_ reservation: Reservation, cost: Money) async throws -> (remaining: Money?, alerts: [Alert]) {
        let settled = try await store.settle(id: reservation.id, cost: cost)
        var alerts: [Alert] = []
        for (budget, balance) in zip(reservation.budgets, settled) {
            if let soft = budget.softLimit, balance.before <= soft, balance.after.settled > soft {
                alerts.append(Alert(budget: budget, spent: balance.after.settled))
            }
        }
        return (zip(reservation.budgets, settled).map { $0.limit - $1.after.committed }.min(), alerts)
    }

    /// The settled spend of each budget in its current window.
    public func spend() async throws -> [(budget: Budget, spent: Money)] {
        let now = clock.now()
        let accounts = budgets.map { BudgetAccount(budget: $0.accountName, windowStart: $0.window.bounds(of: now).start) }
        let balances = try await store.balances(of: accounts)
        return zip(budgets, accounts).map { ($0, balances[$1]?.settled ?? .zero) }
    }

    /// The accounts of `budgets` for the windows holding `now`, opened if this replica has not seen them yet.
    private func openAccounts(_ budgets: [Budget], at now: Date) async throws -> [BudgetAccount] {
        var accounts: [BudgetAccount] = []
        for budget in budgets {
            let start = budget.window.bounds(of: now).start
            let account = BudgetAccount(budget: budget.accountName, windowStart: start)
            if !opened.withLock({ $0.contains(account) }) {
                try await store.open(account, opening: try await opening(budget, start))
                _ = opened.withLock { $0.insert(account) }
            }
            accounts.append(account)
        }
        return accounts
    }
}
