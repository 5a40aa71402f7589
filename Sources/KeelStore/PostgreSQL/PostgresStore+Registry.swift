import Foundation
import Logging
import PostgresNIO

extension PostgresStore {
    /// Takes the lock on `name` in a registry (`prompts`, `datasets`) for the transaction: one push
    /// at a time across replicas, so that the same content pushed twice at once is one version.
    static func lock(_ name: String, team: String, in registry: String, _ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.execute(.with("SELECT pg_advisory_xact_lock(hashtext(?))", ["\(registry):\(team)/\(name)"]), logger: logger)
    }

    /// The next version number of `name` in a registry, counted on its row.
    static func nextVersion(
        of name: String,
        team: String,
        in registry: String,
        at now: Date,
        _ connection: PostgresConnection,
        logger: Logger
    )
        async throws -> Int
    {
        let numbered = try await connection.rows(
            .with(
                """
                INSERT INTO \(registry) (team, name, latest, updated_at) VALUES (?, ?, 1, ?)
                ON CONFLICT (team, name) DO UPDATE SET latest = \(registry).latest + 1, updated_at = excluded.updated_at RETURNING latest
                """,
                [team, name, now.timeIntervalSince1970]
            ),
            logger: logger
        )
        return try numbered.first?.value("latest") ?? 1
    }
}
