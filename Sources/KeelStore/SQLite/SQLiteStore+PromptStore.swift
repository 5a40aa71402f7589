import Foundation
import GRDB
import KeelCore

extension SQLiteStore: PromptStore {
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
        return try await pool.write { db in
            if let existing = try Row.fetchOne(
                db,
                sql: "SELECT * FROM prompt_versions WHERE team = ? AND name = ? AND content_hash = ?",
                arguments: [team, prompt.name, hash]
            ) {
                return (try Self.version(existing), false)
            }
            let number = try Self.nextVersion(db, of: prompt.name, team: team, in: "prompts", at: now)
            let version = PromptVersion(prompt: prompt, number: number, template: template, tokens: tokens, createdAt: now, createdBy: actor)
            try db.execute(
                sql: """
                    INSERT INTO prompt_versions (team, name, version, content_hash, template, tokens, created_at, created_by)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: .storable([
                    team, prompt.name, number, hash, JSONValue.object(template.json).jsonString, tokens, now.timeIntervalSince1970, actor,
                ])
            )
            try Self.record(db, prompt, PromptEvent(kind: .pushed, version: number, actor: actor, at: now))
            return (version, true)
        }
    }

    public func prompts(in scope: TeamScope) async throws -> [PromptSummary] {
        try await pool.read { db in
            var sql = "SELECT * FROM prompts"
            var arguments: StatementArguments = []
            if case .team(let team) = scope {
                sql += " WHERE team = ? OR team = ''"
                arguments = [team ?? ""]
            }
            let labels = try Row.fetchAll(db, sql: "SELECT team, name, label, version FROM prompt_labels")
            return try Row.fetchAll(db, sql: sql + " ORDER BY name, team", arguments: arguments).map { row in
                let prompt = Self.name(row)
                var pointing: [String: Int] = [:]
                for label in labels where label["team"] == (prompt.team ?? "") && label["name"] == prompt.name {
                    pointing[label["label"]] = label["version"]
                }
                return PromptSummary(
                    prompt: prompt,
                    latest: row["latest"],
                    labels: pointing,
                    updatedAt: Date(timeIntervalSince1970: row["updated_at"])
                )
            }
        }
    }

    public func versions(of prompt: RegistryName) async throws -> [PromptVersion] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM prompt_versions WHERE team = ? AND name = ? ORDER BY version",
                arguments: [prompt.team ?? "", prompt.name]
            )
            .map(Self.version)
        }
    }

    public func version(_ number: Int, of prompt: RegistryName) async throws -> PromptVersion? {
        try await pool.read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT * FROM prompt_versions WHERE team = ? AND name = ? AND version = ?",
                arguments: [prompt.team ?? "", prompt.name, number]
            )
            .map(Self.version)
        }
    }

    public func number(_ selector: PromptReference.Selector, in prompt: RegistryName) async throws -> Int? {
        let query = RegistrySchema.numberQuery(selector)
        var arguments: StatementArguments = [prompt.team ?? "", prompt.name]
        if let number = query.number { arguments += [number] }
        if let label = query.label { arguments += [label] }
        return try await pool.read { [arguments] db in try Int.fetchOne(db, sql: query.sql, arguments: arguments) }
    }

    public func labels(of prompt: RegistryName) async throws -> [String: Int] {
        try await pool.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT label, version FROM prompt_labels WHERE team = ? AND name = ?",
                arguments: [prompt.team ?? "", prompt.name]
            )
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["label"], $0["version"]) })
        }
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
        return try await pool.write { db in
            guard
                try Bool.fetchOne(
                    db,
                    sql: "SELECT EXISTS (SELECT 1 FROM prompt_versions WHERE team = ? AND name = ? AND version = ?)",
                    arguments: [team, prompt.name, version]
                ) == true
            else { throw KeelError(.notFound, "\(prompt) has no version \(version).") }
            let previous = try Int.fetchOne(
                db,
                sql: "SELECT version FROM prompt_labels WHERE team = ? AND name = ? AND label = ?",
                arguments: [team, prompt.name, label]
            )
            try db.execute(
                sql: """
                    INSERT INTO prompt_labels (team, name, label, version, moved_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (team, name, label) DO UPDATE SET version = excluded.version, moved_at = excluded.moved_at
                    """,
                arguments: .storable([team, prompt.name, label, version, now.timeIntervalSince1970])
            )
            try db.execute(
                sql: "UPDATE prompts SET updated_at = ? WHERE team = ? AND name = ?",
                arguments: [now.timeIntervalSince1970, team, prompt.name]
            )
            try Self.record(
                db,
                prompt,
                PromptEvent(kind: .labelled, version: version, label: label, previous: previous, actor: actor, reason: reason, at: now)
            )
            return previous
        }
    }

    public func recordRefusal(_ label: String, of prompt: RegistryName, version: Int, by actor: String?, reason: String, at now: Date) async throws {
        try await pool.write { db in
            try Self.record(db, prompt, PromptEvent(kind: .refused, version: version, label: label, actor: actor, reason: reason, at: now))
        }
    }

    public func history(of prompt: RegistryName) async throws -> [PromptEvent] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM prompt_events WHERE team = ? AND name = ? ORDER BY id",
                arguments: [prompt.team ?? "", prompt.name]
            )
            .map { row in
                PromptEvent(
                    kind: PromptEvent.Kind(rawValue: row["kind"]) ?? .pushed,
                    version: row["version"],
                    label: row["label"],
                    previous: row["previous"],
                    actor: row["actor"],
                    reason: row["reason"],
                    at: Date(timeIntervalSince1970: row["at"])
                )
            }
        }
    }

    private static func record(_ db: Database, _ prompt: RegistryName, _ event: PromptEvent) throws {
        try db.execute(
            sql: "INSERT INTO prompt_events (team, name, kind, version, label, previous, actor, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            arguments: .storable([
                prompt.team ?? "", prompt.name, event.kind.rawValue, event.version, event.label, event.previous, event.actor, event.reason,
                event.at.timeIntervalSince1970,
            ])
        )
    }

    private static func name(_ row: Row) -> RegistryName {
        let team: String = row["team"]
        return RegistryName(team: team.isEmpty ? nil : team, name: row["name"])
    }

    private static func version(_ row: Row) throws -> PromptVersion {
        var version = PromptVersion(
            prompt: name(row),
            number: row["version"],
            template: try PromptTemplate(json: try JSONParser.parse(Array((row["template"] as String).utf8))),
            tokens: row["tokens"],
            createdAt: Date(timeIntervalSince1970: row["created_at"]),
            createdBy: row["created_by"]
        )
        version.contentHash = row["content_hash"]
        return version
    }
}
