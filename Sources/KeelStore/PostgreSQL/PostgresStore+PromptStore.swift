import Foundation
import KeelCore
import PostgresNIO

extension PostgresStore: PromptStore {
    public func push(
        _ template: PromptTemplate,
        as prompt: RegistryName,
        tokens: Int,
        by actor: String?,
        at now: Date
    ) async throws -> (
        version: PromptVersion, created: Bool
    ) {
        let team = prompt.team ?? ""
        let hash = template.contentHash
        return try await transaction { connection in
            try await Self.lock(prompt.name, team: team, in: "prompts", connection, logger: logger)
            let existing = try await connection.rows(
                .with("SELECT * FROM prompt_versions WHERE team = ? AND name = ? AND content_hash = ?", [team, prompt.name, hash]),
                logger: logger
            )
            if let row = existing.first { return (try Self.version(row), false) }
            let number = try await Self.nextVersion(of: prompt.name, team: team, in: "prompts", at: now, connection, logger: logger)
            try await connection.execute(
                .with(
                    """
                    INSERT INTO prompt_versions (team, name, version, content_hash, template, tokens, created_at, created_by)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [team, prompt.name, number, hash, JSONValue.object(template.json).jsonString, tokens, now.timeIntervalSince1970, actor]
                ),
                logger: logger
            )
            try await Self.record(connection, prompt, PromptEvent(kind: .pushed, version: number, actor: actor, at: now), logger: logger)
            return (PromptVersion(prompt: prompt, number: number, template: template, tokens: tokens, createdAt: now, createdBy: actor), true)
        }
    }

    public func prompts(in scope: TeamScope) async throws -> [PromptSummary] {
        var statement = PostgresStatement("SELECT * FROM prompts")
        if case .team(let team) = scope {
            statement.append(" WHERE team = '' OR team = ")
            statement.bind(team ?? "")
        }
        statement.append(" ORDER BY name, team")
        let labels = try await rows("SELECT team, name, label, version FROM prompt_labels")
        return try await rows(statement).map { row in
            let prompt = try Self.name(row)
            var pointing: [String: Int] = [:]
            for label in labels where try label.value("team", as: String.self) == (prompt.team ?? "") && label.value("name") == prompt.name {
                pointing[try label.value("label")] = try label.value("version")
            }
            return PromptSummary(prompt: prompt, latest: try row.value("latest"), labels: pointing, updatedAt: try row.date("updated_at"))
        }
    }

    public func versions(of prompt: RegistryName) async throws -> [PromptVersion] {
        try await rows(.with("SELECT * FROM prompt_versions WHERE team = ? AND name = ? ORDER BY version", [prompt.team ?? "", prompt.name]))
            .map(Self.version)
    }

    public func version(_ number: Int, of prompt: RegistryName) async throws -> PromptVersion? {
        try await rows(
            .with("SELECT * FROM prompt_versions WHERE team = ? AND name = ? AND version = ?", [prompt.team ?? "", prompt.name, number])
        )
        .first.map(Self.version)
    }

    public func number(_ selector: PromptReference.Selector, in prompt: RegistryName) async throws -> Int? {
        let query = RegistrySchema.numberQuery(selector)
        var values: [(any PostgresDynamicTypeEncodable)?] = [prompt.team ?? "", prompt.name]
        if let number = query.number { values.append(number) }
        if let label = query.label { values.append(label) }
        return try await rows(.with(query.sql, values)).first?.value("number")
    }

    public func labels(of prompt: RegistryName) async throws -> [String: Int] {
        let rows = try await rows(.with("SELECT label, version FROM prompt_labels WHERE team = ? AND name = ?", [prompt.team ?? "", prompt.name]))
        return Dictionary(uniqueKeysWithValues: try rows.map { (try $0.value("label"), try $0.value("version")) })
    }

    public func moveLabel(
        _ label: String,
        of prompt: RegistryName,
        to version: Int,
        by actor: String?,
        reason: String?,
        at now: Date
    ) async throws
        -> Int?
    {
        let team = prompt.team ?? ""
        return try await transaction { connection in
            let found = try await connection.rows(
                .with("SELECT 1 FROM prompt_versions WHERE team = ? AND name = ? AND version = ?", [team, prompt.name, version]),
                logger: logger
            )
            guard !found.isEmpty else { throw KeelError(.notFound, "\(prompt) has no version \(version).") }
            // The row is locked by the update, so that two moves of one label record the right previous version.
            let before = try await connection.rows(
                .with("SELECT version FROM prompt_labels WHERE team = ? AND name = ? AND label = ? FOR UPDATE", [team, prompt.name, label]),
                logger: logger
            )
            let previous: Int? = try before.first?.value("version")
            try await connection.execute(
                .with(
                    """
                    INSERT INTO prompt_labels (team, name, label, version, moved_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (team, name, label) DO UPDATE SET version = excluded.version, moved_at = excluded.moved_at
                    """,
                    [team, prompt.name, label, version, now.timeIntervalSince1970]
                ),
                logger: logger
            )
            try await connection.execute(
                .with("UPDATE prompts SET updated_at = ? WHERE team = ? AND name = ?", [now.timeIntervalSince1970, team, prompt.name]),
                logger: logger
            )
            try await Self.record(
                connection,
                prompt,
                PromptEvent(kind: .labelled, version: version, label: label, previous: previous, actor: actor, reason: reason, at: now),
                logger: logger
            )
            return previous
        }
    }

    public func recordRefusal(_ label: String, of prompt: RegistryName, version: Int, by actor: String?, reason: String, at now: Date) async throws {
        try await transaction { connection in
            try await Self.record(
                connection,
                prompt,
                PromptEvent(kind: .refused, version: version, label: label, actor: actor, reason: reason, at: now),
                logger: logger
            )
        }
    }

    public func history(of prompt: RegistryName) async throws -> [PromptEvent] {
        try await rows(.with("SELECT * FROM prompt_events WHERE team = ? AND name = ? ORDER BY id", [prompt.team ?? "", prompt.name])).map { row in
            PromptEvent(
                kind: PromptEvent.Kind(rawValue: try row.value("kind")) ?? .pushed,
                version: try row.value("version"),
                label: try row.value("label"),
                previous: try row.value("previous"),
                actor: try row.value("actor"),
                reason: try row.value("reason"),
                at: try row.date("at")
            )
        }
    }

    private static func record(_ connection: PostgresConnection, _ prompt: RegistryName, _ event: PromptEvent, logger: Logger) async throws {
        try await connection.execute(
            .with(
                "INSERT INTO prompt_events (team, name, kind, version, label, previous, actor, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    prompt.team ?? "", prompt.name, event.kind.rawValue, event.version, event.label, event.previous, event.actor, event.reason,
                    event.at.timeIntervalSince1970,
                ]
            ),
            logger: logger
        )
    }

    private static func name(_ row: PostgresRandomAccessRow) throws -> RegistryName {
        let team: String = try row.value("team")
        return RegistryName(team: team.isEmpty ? nil : team, name: try row.value("name"))
    }

    private static func version(_ row: PostgresRandomAccessRow) throws -> PromptVersion {
        var version = PromptVersion(
            prompt: try name(row),
            number: try row.value("version"),
            template: try PromptTemplate(json: try JSONParser.parse(try row.value("template", as: String.self))),
            tokens: try row.value("tokens"),
            createdAt: try row.date("created_at"),
            createdBy: try row.value("created_by")
        )
        version.contentHash = try row.value("content_hash")
        return version
    }
}
