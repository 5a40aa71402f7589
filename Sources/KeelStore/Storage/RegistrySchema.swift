import Foundation
import KeelCore

/// The tables of the registries — prompts and datasets — the same on both backends, written in
/// SQLite's spelling and respelled for PostgreSQL. A team of `''` holds the shared entries.
enum RegistrySchema {
    static let prompts = """
        CREATE TABLE prompts (
            team TEXT NOT NULL, name TEXT NOT NULL, latest INTEGER NOT NULL, updated_at DOUBLE NOT NULL, PRIMARY KEY (team, name)
        );
        CREATE TABLE prompt_versions (
            team TEXT NOT NULL, name TEXT NOT NULL, version INTEGER NOT NULL, content_hash TEXT NOT NULL, template TEXT NOT NULL,
            tokens INTEGER NOT NULL, created_at DOUBLE NOT NULL, created_by TEXT,
            PRIMARY KEY (team, name, version), UNIQUE (team, name, content_hash)
        );
        CREATE TABLE prompt_labels (
            team TEXT NOT NULL, name TEXT NOT NULL, label TEXT NOT NULL, version INTEGER NOT NULL, moved_at DOUBLE NOT NULL,
            PRIMARY KEY (team, name, label)
        );
        CREATE TABLE prompt_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT, team TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, version INTEGER NOT NULL,
            label TEXT, previous INTEGER, actor TEXT, reason TEXT, at DOUBLE NOT NULL
        );
        CREATE INDEX prompt_events_prompt ON prompt_events (team, name, id);
        """

    static let datasets = """
        CREATE TABLE datasets (
            team TEXT NOT NULL, name TEXT NOT NULL, latest INTEGER NOT NULL, updated_at DOUBLE NOT NULL, PRIMARY KEY (team, name)
        );
        CREATE TABLE dataset_versions (
            team TEXT NOT NULL, name TEXT NOT NULL, version INTEGER NOT NULL, content_hash TEXT NOT NULL, cases INTEGER NOT NULL,
            created_at DOUBLE NOT NULL, created_by TEXT, PRIMARY KEY (team, name, version), UNIQUE (team, name, content_hash)
        );
        CREATE TABLE dataset_cases (
            team TEXT NOT NULL, name TEXT NOT NULL, version INTEGER NOT NULL, position INTEGER NOT NULL, body TEXT NOT NULL,
            PRIMARY KEY (team, name, version, position)
        );
        """

    /// `sql`'s statements in SQLite's spelling.
    static func sqlite(_ sql: String) -> [String] {
        sql.components(separatedBy: ";\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    /// `sql`'s statements in PostgreSQL's spelling.
    static func postgres(_ sql: String) -> [String] {
        sqlite(sql).map {
            $0.replacingOccurrences(of: "INTEGER PRIMARY KEY AUTOINCREMENT", with: "BIGSERIAL PRIMARY KEY")
                .replacingOccurrences(of: " DOUBLE", with: " DOUBLE PRECISION")
        }
    }
}

extension RegistrySchema {
    /// The query that finds, as `number`, the prompt version `selector` names: team and name bound
    /// first, then the version number or the label when the selector has one.
    static func numberQuery(_ selector: PromptReference.Selector) -> (sql: String, number: Int?, label: String?) {
        switch selector {
        case .latest: ("SELECT latest AS number FROM prompts WHERE team = ? AND name = ?", nil, nil)
        case .version(let number): ("SELECT version AS number FROM prompt_versions WHERE team = ? AND name = ? AND version = ?", number, nil)
        case .label(let label): ("SELECT version AS number FROM prompt_labels WHERE team = ? AND name = ? AND label = ?", nil, label)
        }
    }
}
