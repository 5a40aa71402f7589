import Foundation
import KeelCore

/// The audit trail as both backends store it: records keyed by their sequence, checkpoints by the
/// record they saw. Nothing updates a row; only retention deletes, from the start, leaving a
/// record that says where the trail now starts.
enum AuditRows {
    static let tables = """
        CREATE TABLE audit_records (
            sequence BIGINT PRIMARY KEY, at_ms BIGINT NOT NULL, kind TEXT NOT NULL, actor TEXT, subject TEXT, details TEXT NOT NULL,
            previous_hash TEXT NOT NULL, hash TEXT NOT NULL
        );
        CREATE TABLE audit_checkpoints (sequence BIGINT PRIMARY KEY, hash TEXT NOT NULL, at_ms BIGINT NOT NULL, signature TEXT)
        """

    static let insert = """
        INSERT INTO audit_records (sequence, at_ms, kind, actor, subject, details, previous_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """
    /// `insert` for `count` records in one statement.
    static func insert(count: Int) -> String {
        let row = "(?, ?, ?, ?, ?, ?, ?, ?)"
        return insert.replacingOccurrences(of: row, with: Array(repeating: row, count: count).joined(separator: ", "))
    }
    static let last = "SELECT * FROM audit_records ORDER BY sequence DESC LIMIT 1"
    static let latestOfKind = "SELECT * FROM audit_records WHERE kind = ? ORDER BY sequence DESC LIMIT ?"
    /// Finds a kind's records without reading the trail's others.
    static let kindIndex = "CREATE INDEX audit_records_kind ON audit_records (kind, sequence)"
    static let page = "SELECT * FROM audit_records WHERE sequence >= ? ORDER BY sequence LIMIT ?"
    static let insertCheckpoint =
        "INSERT INTO audit_checkpoints (sequence, hash, at_ms, signature) VALUES (?, ?, ?, ?) ON CONFLICT (sequence) DO NOTHING"
    static let checkpoints = "SELECT * FROM audit_checkpoints ORDER BY sequence"
    static let lastCheckpoint = "SELECT * FROM audit_checkpoints ORDER BY sequence DESC LIMIT 1"
    /// The newest record older than the cut (bound: milliseconds), the last a purge removes.
    static let lastBefore = "SELECT * FROM audit_records WHERE at_ms < ? ORDER BY sequence DESC LIMIT 1"
    static let countThrough = "SELECT COUNT(*) AS n FROM audit_records WHERE sequence <= ?"
    static let deleteThrough = "DELETE FROM audit_records WHERE sequence <= ?"
    static let deleteCheckpointsThrough = "DELETE FROM audit_checkpoints WHERE sequence <= ?"
    static let oldest = "SELECT MIN(at_ms) AS oldest FROM audit_records"
    static let countBefore = "SELECT COUNT(*) AS n FROM audit_records WHERE at_ms < ?"

    /// `date` as the trail stores it: milliseconds since 1970.
    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    static func values(of record: AuditRecord) -> [StoredValue] {
        [
            .integer(record.sequence), .integer(Int(record.atMilliseconds)), .text(record.kind), .text(record.actor), .text(record.subject),
            .text(record.details), .text(record.previousHash), .text(record.hash),
        ]
    }

    static func values(of checkpoint: AuditCheckpoint) -> [StoredValue] {
        [.integer(checkpoint.sequence), .text(checkpoint.hash), .integer(Int(checkpoint.atMilliseconds)), .text(checkpoint.signature)]
    }

    /// The record a row holds; `text` and `integer` read a column of it by name.
    static func record(text: (String) throws -> String?, integer: (String) throws -> Int?) throws -> AuditRecord {
        AuditRecord(
            sequence: try integer("sequence") ?? 0,
            atMilliseconds: Int64(try integer("at_ms") ?? 0),
            kind: try text("kind") ?? "",
            actor: try text("actor"),
            subject: try text("subject"),
            details: try text("details") ?? "",
            previousHash: try text("previous_hash") ?? "",
            hash: try text("hash") ?? ""
        )
    }

    static func checkpoint(text: (String) throws -> String?, integer: (String) throws -> Int?) throws -> AuditCheckpoint {
        AuditCheckpoint(
            sequence: try integer("sequence") ?? 0,
            hash: try text("hash") ?? "",
            atMilliseconds: Int64(try integer("at_ms") ?? 0),
            signature: try text("signature")
        )
    }
}
