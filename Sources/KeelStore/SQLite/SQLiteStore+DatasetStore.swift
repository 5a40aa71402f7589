import Foundation
import GRDB
import KeelCore

extension SQLiteStore: DatasetStore {
    public func push(
        _ cases: [EvaluationCase],
        as dataset: RegistryName,
        by actor: String?,
        at now: Date
    ) async throws -> (
        version: DatasetVersion, created: Bool
    ) {
        let team = dataset.team ?? ""
        let hash = cases.contentHash
        return try await pool.write { db in
            if let existing = try Row.fetchOne(
                db,
                sql: "SELECT * FROM dataset_versions WHERE team = ? AND name = ? AND content_hash = ?",
                arguments: [team, dataset.name, hash]
            ) {
                return (Self.datasetVersion(existing), false)
            }
            let number = try Self.nextVersion(db, of: dataset.name, team: team, in: "datasets", at: now)
            try db.execute(
                sql: "INSERT INTO dataset_versions (team, name, version, content_hash, cases, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: .storable([team, dataset.name, number, hash, cases.count, now.timeIntervalSince1970, actor])
            )
            let insert = try db.cachedStatement(sql: "INSERT INTO dataset_cases (team, name, version, position, body) VALUES (?, ?, ?, ?, ?)")
            for (position, item) in cases.enumerated() {
                try insert.execute(arguments: .storable([team, dataset.name, number, position, JSONValue.object(item.json).jsonString]))
            }
            let version = DatasetVersion(
                dataset: dataset,
                number: number,
                contentHash: hash,
                caseCount: cases.count,
                createdAt: now,
                createdBy: actor
            )
            return (version, true)
        }
    }

    public func datasets(in scope: TeamScope) async throws -> [DatasetVersion] {
        try await pool.read { db in
            var sql = "SELECT v.* FROM datasets d JOIN dataset_versions v ON v.team = d.team AND v.name = d.name AND v.version = d.latest"
            var arguments: StatementArguments = []
            if case .team(let team) = scope {
                sql += " WHERE d.team = ? OR d.team = ''"
                arguments = [team ?? ""]
            }
            return try Row.fetchAll(db, sql: sql + " ORDER BY d.name, d.team", arguments: arguments).map(Self.datasetVersion)
        }
    }

    public func versions(of dataset: RegistryName) async throws -> [DatasetVersion] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM dataset_versions WHERE team = ? AND name = ? ORDER BY version",
                arguments: [dataset.team ?? "", dataset.name]
            )
            .map(Self.datasetVersion)
        }
    }

    public func cases(of dataset: RegistryName, version: Int) async throws -> [EvaluationCase] {
        try await pool.read { db in
            try String.fetchAll(
                db,
                sql: "SELECT body FROM dataset_cases WHERE team = ? AND name = ? AND version = ? ORDER BY position",
                arguments: [dataset.team ?? "", dataset.name, version]
            )
            .map { try EvaluationCase(json: try JSONParser.parse($0)) }
        }
    }

    private static func datasetVersion(_ row: Row) -> DatasetVersion {
        let team: String = row["team"]
        return DatasetVersion(
            dataset: RegistryName(team: team.isEmpty ? nil : team, name: row["name"]),
            number: row["version"],
            contentHash: row["content_hash"],
            caseCount: row["cases"],
            createdAt: Date(timeIntervalSince1970: row["created_at"]),
            createdBy: row["created_by"]
        )
    }
}
