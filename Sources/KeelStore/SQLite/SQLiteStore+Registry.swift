import Foundation
import GRDB

extension SQLiteStore {
    /// The next version number of `name` in a registry (`prompts`, `datasets`), counted on its row.
    static func nextVersion(_ db: Database, of name: String, team: String, in registry: String, at now: Date) throws -> Int {
        try db.execute(
            sql: """
                INSERT INTO \(registry) (team, name, latest, updated_at) VALUES (?, ?, 1, ?)
                ON CONFLICT (team, name) DO UPDATE SET latest = latest + 1, updated_at = excluded.updated_at
                """,
            arguments: [team, name, now.timeIntervalSince1970]
        )
        return try Int.fetchOne(db, sql: "SELECT latest FROM \(registry) WHERE team = ? AND name = ?", arguments: [team, name]) ?? 1
    }
}
