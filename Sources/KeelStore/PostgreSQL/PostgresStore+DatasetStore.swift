import Foundation
import KeelCore
import PostgresNIO

extension PostgresStore: DatasetStore {
    /// The cases arrive in one `COPY`.
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
        return try await transaction { connection in
            try await Self.lock(dataset.name, team: team, in: "datasets", connection, logger: logger)
            let existing = try await connection.rows(
                .with("SELECT * FROM dataset_versions WHERE team = ? AND name = ? AND content_hash = ?", [team, dataset.name, hash]),
                logger: logger
            )
            if let row = existing.first { return (try Self.datasetVersion(row), false) }
            let number = try await Self.nextVersion(of: dataset.name, team: team, in: "datasets", at: now, connection, logger: logger)
            try await connection.execute(
                .with(
                    "INSERT INTO dataset_versions (team, name, version, content_hash, cases, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [team, dataset.name, number, hash, cases.count, now.timeIntervalSince1970, actor]
                ),
                logger: logger
            )
            var text = CopyText()
            for (position, item) in cases.enumerated() {
                text.row([team, dataset.name, number, position, JSONValue.object(item.json).jsonString])
            }
            if !cases.isEmpty {
                try await connection.copyFrom(table: "dataset_cases", columns: ["team", "name", "version", "position", "body"], logger: logger) {
                    try await $0.write(text.buffer)
                }
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
        var statement = PostgresStatement(
            "SELECT v.* FROM datasets d JOIN dataset_versions v ON v.team = d.team AND v.name = d.name AND v.version = d.latest"
        )
        if case .team(let team) = scope {
            statement.append(" WHERE d.team = '' OR d.team = ")
            statement.bind(team ?? "")
        }
        statement.append(" ORDER BY d.name, d.team")
        return try await rows(statement).map(Self.datasetVersion)
    }

    public func versions(of dataset: RegistryName) async throws -> [DatasetVersion] {
        try await rows(.with("SELECT * FROM dataset_versions WHERE team = ? AND name = ? ORDER BY version", [dataset.team ?? "", dataset.name]))
            .map(Self.datasetVersion)
    }

    public func cases(of dataset: RegistryName, version: Int) async throws -> [EvaluationCase] {
        try await rows(
            .with(
                "SELECT body FROM dataset_cases WHERE team = ? AND name = ? AND version = ? ORDER BY position",
                [dataset.team ?? "", dataset.name, version]
            )
        )
        .map { try EvaluationCase(json: try JSONParser.parse(try $0.value("body", as: String.self))) }
    }

    private static func datasetVersion(_ row: PostgresRandomAccessRow) throws -> DatasetVersion {
        let team: String = try row.value("team")
        return DatasetVersion(
            dataset: RegistryName(team: team.isEmpty ? nil : team, name: try row.value("name")),
            number: try row.value("version"),
            contentHash: try row.value("content_hash"),
            caseCount: try row.value("cases"),
            createdAt: try row.date("created_at"),
            createdBy: try row.value("created_by")
        )
    }
}
