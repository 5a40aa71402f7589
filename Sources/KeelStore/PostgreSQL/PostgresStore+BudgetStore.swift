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
    /// then takes the amount from each: all or none, whatever runs on the other replicas.
    public func reserve(
        id: String,
        amount: Money,
        against accounts: [(account: BudgetAccount, limit: Money)],
        replica: String
    ) async throws -> BudgetReservationOutcome {
        try await transaction { connection in
            var balances: [BudgetAccount: BudgetBalance] = [:]
            for (account, _) in accounts.sorted(by: { ($0.account.budget, $0.account.windowStart) < ($1.account.budget, $1.account.windowStart) }) {
                balances[account] = try await Self.balance(connection, account, lock: true, logger: logger)
            }
            var reserved: [BudgetBalance] = []
            for (index, (account, limit)) in accounts.enumerated() {
                let balance = balances[account] ?? BudgetBalance(settled: .zero, reserved: .zero)
                guard balance.committed + amount <= limit else { return .refused(index: index, balance: balance) }
                reserved.append(BudgetBalance(settled: balance.settled, reserved: balance.reserved + amount))
            }
            for (account, _) in accounts {
                try await connection.execute(
                    .with(
                        "UPDATE budget_accounts SET reserved_picodollars = reserved_picodollars + ? WHERE budget = ? AND window_start = ?",
                        [amount.picodollars, account.budget, account.windowStart.timeIntervalSince1970]
                    ),
                    logger: logger
                )
            }
            try await connection.execute(
                .with(
                    "INSERT INTO budget_reservations (id, replica, amount_picodollars, accounts, created_at) VALUES (?, ?, ?, ?, ?)",
                    [id, replica, amount.picodollars, BudgetAccount.encode(accounts.map(\.account)), Date().timeIntervalSince1970]
                ),
                logger: logger
            )
            return .reserved(reserved)
        }
    }

    public func settle(id: String, cost: Money) async throws -> [(before: Money, after: BudgetBalance)] {
        try await transaction { connection in
            let deleted = try await connection.rows(
                .with("DELETE FROM budget_reservations WHERE id = ? RETURNING amount_picodollars, accounts", [id]),
                logger: logger
            )
            guard let reservation = deleted.first else { return [] }
            let amount: Int64 = try reservation.value("amount_picodollars")
            var settled: [(before: Money, after: BudgetBalance)] = []
            for account in try BudgetAccount.decode(try reservation.value("accounts")) {
                let after = try await connection.rows(
                    .with(
                        """
                        UPDATE budget_accounts SET reserved_picodollars = reserved_picodollars - ?, settled_picodollars = settled_picodollars + ?
                        WHERE budget = ? AND window_start = ? RETURNING settled_picodollars, reserved_picodollars
                        """,
                        [amount, cost.picodollars, account.budget, account.windowStart.timeIntervalSince1970]
                    ),
                    logger: logger
                )
                guard let row = after.first else { continue }
                let balance = BudgetBalance(settled: try row.money("settled_picodollars"), reserved: try row.money("reserved_picodollars"))
                settled.append((balance.settled - cost, balance))
            }
            return settled
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

    private static func balance(_ connection: PostgresConnection, _ account: BudgetAccount, lock: Bool, logger: Logger) async throws -> BudgetBalance?
    {
        let rows = try await connection.rows(
            .with(
                "SELECT settled_picodollars, reserved_picodollars FROM budget_accounts WHERE budget = ? AND window_start = ?"
                    + (lock ? " FOR UPDATE" : ""),
                [account.budget, account.windowStart.timeIntervalSince1970]
            ),
            logger: logger
        )
        return try rows.first.map { BudgetBalance(settled: try $0.money("settled_picodollars"), reserved: try $0.money("reserved_picodollars")) }
    }
}
