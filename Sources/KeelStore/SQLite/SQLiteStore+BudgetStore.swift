import Foundation
import GRDB
import KeelCore

extension SQLiteStore: BudgetStore {
    public func open(_ account: BudgetAccount, opening: Money) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO budget_accounts (budget, window_start, settled_picodollars) VALUES (?, ?, ?)
                    ON CONFLICT (budget, window_start) DO NOTHING
                    """,
                arguments: [account.budget, account.windowStart.timeIntervalSince1970, opening.picodollars]
            )
        }
    }

    public func reserve(
        id: String,
        amount: Money,
        against accounts: [(account: BudgetAccount, limit: Money)],
        replica: String
    ) async throws -> BudgetReservationOutcome {
        try await pool.write { db in
            var balances: [BudgetBalance] = []
            for (index, (account, limit)) in accounts.enumerated() {
                let balance = try Self.balance(db, account) ?? BudgetBalance(settled: .zero, reserved: .zero)
                guard balance.committed + amount <= limit else { return .refused(index: index, balance: balance) }
                balances.append(BudgetBalance(settled: balance.settled, reserved: balance.reserved + amount))
            }
            // Checked whole before any change: SQLite's single writer makes the check and the change one step.
            for (account, _) in accounts {
                try db.execute(
                    sql: "UPDATE budget_accounts SET reserved_picodollars = reserved_picodollars + ? WHERE budget = ? AND window_start = ?",
                    arguments: [amount.picodollars, account.budget, account.windowStart.timeIntervalSince1970]
                )
            }
            try db.execute(
                sql: "INSERT INTO budget_reservations (id, replica, amount_picodollars, accounts, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [id, replica, amount.picodollars, BudgetAccount.encode(accounts.map(\.account)), Date().timeIntervalSince1970]
            )
            return .reserved(balances)
        }
    }

    public func settle(id: String, cost: Money) async throws -> [(before: Money, after: BudgetBalance)] {
        try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT amount_picodollars, accounts FROM budget_reservations WHERE id = ?", arguments: [id])
            else { return [] }
            try db.execute(sql: "DELETE FROM budget_reservations WHERE id = ?", arguments: [id])
            let amount: Int64 = row["amount_picodollars"]
            var settled: [(before: Money, after: BudgetBalance)] = []
            for account in try BudgetAccount.decode(row["accounts"]) {
                let before = try Self.balance(db, account)?.settled ?? .zero
                try db.execute(
                    sql: """
                        UPDATE budget_accounts SET reserved_picodollars = reserved_picodollars - ?, settled_picodollars = settled_picodollars + ?
                        WHERE budget = ? AND window_start = ?
                        """,
                    arguments: [amount, cost.picodollars, account.budget, account.windowStart.timeIntervalSince1970]
                )
                settled.append((before, try Self.balance(db, account) ?? BudgetBalance(settled: cost, reserved: .zero)))
            }
            return settled
        }
    }

    public func balances(of accounts: [BudgetAccount]) async throws -> [BudgetAccount: BudgetBalance] {
        try await pool.read { db in
            var balances: [BudgetAccount: BudgetBalance] = [:]
            for account in accounts { balances[account] = try Self.balance(db, account) }
            return balances
        }
    }

    public func releaseReservations(of replica: String) async throws -> Int {
        try await pool.write { db in
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT amount_picodollars, accounts FROM budget_reservations WHERE replica = ?",
                arguments: [replica]
            )
            for row in rows {
                for account in try BudgetAccount.decode(row["accounts"]) {
                    try db.execute(
                        sql: "UPDATE budget_accounts SET reserved_picodollars = reserved_picodollars - ? WHERE budget = ? AND window_start = ?",
                        arguments: [row["amount_picodollars"] as Int64, account.budget, account.windowStart.timeIntervalSince1970]
                    )
                }
            }
            try db.execute(sql: "DELETE FROM budget_reservations WHERE replica = ?", arguments: [replica])
            return rows.count
        }
    }

    private static func balance(_ db: Database, _ account: BudgetAccount) throws -> BudgetBalance? {
        try Row.fetchOne(
            db,
            sql: "SELECT settled_picodollars, reserved_picodollars FROM budget_accounts WHERE budget = ? AND window_start = ?",
            arguments: [account.budget, account.windowStart.timeIntervalSince1970]
        )
        .map { BudgetBalance(settled: Money(picodollars: $0[0]), reserved: Money(picodollars: $0[1])) }
    }
}

extension BudgetAccount {
    /// The accounts of a reservation as the stores keep them: `[[budget, window start], …]`.
    static func encode(_ accounts: [BudgetAccount]) -> String {
        JSONValue.array(accounts.map { [.string($0.budget), .double($0.windowStart.timeIntervalSince1970)] }).jsonString
    }

    static func decode(_ text: String) throws -> [BudgetAccount] {
        try (JSONParser.parse(text).arrayValue ?? []).compactMap { pair in
            guard let budget = pair.arrayValue?.first?.stringValue, let start = pair.arrayValue?.last?.doubleValue else { return nil }
            return BudgetAccount(budget: budget, windowStart: Date(timeIntervalSince1970: start))
        }
    }
}
