import Foundation
import KeelCore
import PostgresNIO

extension PostgresStore: BudgetStore {
    public func open(_ account: BudgetAccount, opening: Money) async throws {
        try await execute(
            .with(
                "INSERT INTO budget_accounts (budget, window_start, settled_picodollars) VALUES (?, ?, ?) ON CONFLICT (budget, window_start) DO NOTHING",
                [account.budget, account.windowStart.timeIntervalSince1970, opening.picodollars]
            )
        )
    }

    /// Locks every account (in one order, so that reservations never deadlock), checks them all,
    /// then takes the amount from each: all or none, whatever runs on the other replicas. One
    /// round trip (`keel_reserve`, migration v3).
    public func reserve(
        id: String,
        amount: Money,
        against accounts: [(account: BudgetAccount, limit: Money)],
        replica: String
    ) async throws -> BudgetReservationOutcome {
        let statement = PostgresStatement.with(
            "SELECT refused_index, settled, reserved FROM keel_reserve(?, ?, ?, ?, ?, ?, ?, ?)",
            [
                id, replica, amount.picodollars, accounts.map(\.account.budget), accounts.map(\.account.windowStart.timeIntervalSince1970),
                accounts.map(\.limit.picodollars), BudgetAccount.encode(accounts.map(\.account)), Date().timeIntervalSince1970,
            ]
        )
        let rows = try await rows(statement)
        let balances = try rows.map { BudgetBalance(settled: try $0.money("settled"), reserved: try $0.money("reserved")) }
        if let refusal = rows.first, let index = try refusal.value("refused_index", as: Int32?.self) {
            return .refused(index: Int(index), balance: balances[0])
        }
        return .reserved(balances)
    }

    /// Takes the reservation back and adds the cost to each of its accounts, in one round trip (`keel_settle`).
    public func settle(id: String, cost: Money) async throws -> [(before: Money, after: BudgetBalance)] {
        try await rows(.with("SELECT settled, reserved FROM keel_settle(?, ?)", [id, cost.picodollars])).map { row in
            let balance = BudgetBalance(settled: try row.money("settled"), reserved: try row.money("reserved"))
            return (balance.settled - cost, balance)
        }
    }

    public func balances(of accounts: [BudgetAccount]) async throws -> [BudgetAccount: BudgetBalance] {
        var balances: [BudgetAccount: BudgetBalance] = [:]
        for account in accounts {
            let found = try await rows(
                .with(
                    "SELECT settled_picodollars, reserved_picodollars FROM budget_accounts WHERE budget = ? AND window_start = ?",
                    [account.budget, account.windowStart.timeIntervalSince1970]
                )
            )
            if let row = found.first {
                balances[account] = BudgetBalance(settled: try row.money("settled_picodollars"), reserved: try row.money("reserved_picodollars"))
            }
        }
        return balances
    }

    public func releaseReservations(of replica: String) async throws -> Int {
        try await transaction { connection in
            let released = try await connection.rows(
                .with("DELETE FROM budget_reservations WHERE replica = ? RETURNING amount_picodollars, accounts", [replica]),
                logger: logger
            )
            for reservation in released {
                for account in try BudgetAccount.decode(try reservation.value("accounts")) {
                    try await connection.execute(
                        .with(
                            "UPDATE budget_accounts SET reserved_picodollars = reserved_picodollars - ? WHERE budget = ? AND window_start = ?",
                            [try reservation.value("amount_picodollars", as: Int64.self), account.budget, account.windowStart.timeIntervalSince1970]
                        ),
                        logger: logger
                    )
                }
            }
            return released.count
        }
    }
}
