import KeelCore
import Synchronization

/// Budget accounts in memory, under one lock: a ``BudgetStore`` for tests of what uses one.
public final class InMemoryBudgetStore: BudgetStore {
    private struct State {
        var balances: [BudgetAccount: BudgetBalance] = [:]
        var reservations: [String: (replica: String, amount: Money, accounts: [BudgetAccount])] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    public func open(_ account: BudgetAccount, opening: Money) async throws {
        state.withLock { state in
            if state.balances[account] == nil { state.balances[account] = BudgetBalance(settled: opening, reserved: .zero) }
        }
    }

    public func reserve(
        id: String,
        amount: Money,
        against accounts: [(account: BudgetAccount, limit: Money)],
        replica: String
    ) async throws -> BudgetReservationOutcome {
        state.withLock { state in
            var reserved: [BudgetBalance] = []
            for (index, (account, limit)) in accounts.enumerated() {
                let balance = state.balances[account] ?? BudgetBalance(settled: .zero, reserved: .zero)
                guard balance.committed + amount <= limit else { return .refused(index: index, balance: balance) }
                reserved.append(BudgetBalance(settled: balance.settled, reserved: balance.reserved + amount))
            }
            for ((account, _), balance) in zip(accounts, reserved) { state.balances[account] = balance }
            state.reservations[id] = (replica, amount, accounts.map(\.account))
            return .reserved(reserved)
        }
    }

    public func settle(id: String, cost: Money) async throws -> [(before: Money, after: BudgetBalance)] {
        state.withLock { state in
            guard let reservation = state.reservations.removeValue(forKey: id) else { return [] }
            return reservation.accounts.map { account in
                let before = state.balances[account] ?? BudgetBalance(settled: .zero, reserved: .zero)
                let after = BudgetBalance(settled: before.settled + cost, reserved: before.reserved - reservation.amount)
                state.balances[account] = after
                return (before.settled, after)
            }
        }
    }

    public func balances(of accounts: [BudgetAccount]) async throws -> [BudgetAccount: BudgetBalance] {
        state.withLock { state in state.balances.filter { accounts.contains($0.key) } }
    }

    public func releaseReservations(of replica: String) async throws -> Int {
        state.withLock { state in
            let held = state.reservations.filter { $0.value.replica == replica }
            for (id, reservation) in held {
                state.reservations[id] = nil
                for account in reservation.accounts { state.balances[account]?.reserved -= reservation.amount }
            }
            return held.count
        }
    }
}
