import Foundation
import Synchronization

/// The spend against every budget in its current window, kept in memory under one lock so that
/// checks and reservations are atomic across concurrent requests.
///
/// A request reserves its worst case before its upstream call and settles its real cost after; a
/// reservation that would take any of its budgets past the limit is refused whole. So concurrent
/// requests can overshoot a limit by at most what one request's worst case underestimated, and
/// never by racing each other. Windows roll over by the injected clock.
public final class BudgetLedger: Sendable {
    private struct Account {
        var windowStart: Date
        var settled = Money.zero
        var reserved = Money.zero
    }

    /// What a request holds until it settles.
    public struct Reservation: Sendable {
        fileprivate let budgets: [Budget]
        fileprivate let windowStarts: [Date]
        public let amount: Money
    }

    /// A budget whose soft limit a settlement crossed.
    public struct Alert: Sendable {
        public var budget: Budget
        public var spent: Money
    }

    public let budgets: [Budget]
    private let clock: KeelClock
    private let accounts = Mutex<[Budget: Account]>([:])

    public init(budgets: [Budget], clock: KeelClock) {
        self.budgets = budgets
        self.clock = clock
    }

    /// Sets what was already spent in the current window (from the request log, at start-up).
    public func seed(_ budget: Budget, spent: Money) {
        let start = budget.window.bounds(of: clock.now()).start
        accounts.withLock { $0[budget] = Account(windowStart: start, settled: spent) }
    }

    /// Reserves `amount` against every budget in `applicable`, or throws `budget_exceeded` (reserving nothing).
    public func reserve(_ amount: Money, against applicable: [Budget]) throws(KeelError) -> Reservation {
        let now = clock.now()
        let result = accounts.withLock { accounts -> Result<Reservation, KeelError> in
            var starts: [Date] = []
            for budget in applicable {
                let (start, next) = budget.window.bounds(of: now)
                var account = accounts[budget] ?? Account(windowStart: start)
                if account.windowStart != start { account = Account(windowStart: start) }
                accounts[budget] = account
                starts.append(start)
                if account.settled + account.reserved + amount > budget.limit {
                    let spent = account.settled + account.reserved
                    return .failure(
                        KeelError(
                            .budgetExceeded,
                            "The \(budget.window.rawValue) budget of \(budget.scope) (\(budget.limit)) would be exceeded: "
                                + "\(spent) spent or reserved, this request may cost up to \(amount).",
                            retryAfter: next.map { max(1, Int($0.timeIntervalSince(now).rounded(.up))) }
                        )
                    )
                }
            }
            for budget in applicable { accounts[budget]?.reserved += amount }
            return .success(Reservation(budgets: applicable, windowStarts: starts, amount: amount))
        }
        return try result.get()
    }

    /// Replaces a reservation by the request's real cost; returns the soft limits this crossed.
    @discardableResult
    public func settle(_ reservation: Reservation, cost: Money) -> [Alert] {
        accounts.withLock { accounts in
            var alerts: [Alert] = []
            for (budget, start) in zip(reservation.budgets, reservation.windowStarts) {
                guard var account = accounts[budget], account.windowStart == start else { continue }
                let before = account.settled
                account.reserved -= reservation.amount
                account.settled += cost
                accounts[budget] = account
                if let soft = budget.softLimit, before <= soft, account.settled > soft {
                    alerts.append(Alert(budget: budget, spent: account.settled))
                }
            }
            return alerts
        }
    }

    /// What is left of the tightest of `applicable` in its current window.
    public func remaining(_ applicable: [Budget]) -> Money? {
        let now = clock.now()
        return accounts.withLock { accounts in
            applicable.map { budget -> Money in
                guard let account = accounts[budget], account.windowStart == budget.window.bounds(of: now).start else { return budget.limit }
                return budget.limit - account.settled - account.reserved
            }
            .min()
        }
    }

    /// The settled spend of each budget in its current window.
    public var spend: [(budget: Budget, spent: Money)] {
        let now = clock.now()
        return accounts.withLock { accounts in
            budgets.map { budget in
                guard let account = accounts[budget], account.windowStart == budget.window.bounds(of: now).start else { return (budget, .zero) }
                return (budget, account.settled)
            }
        }
    }
}
