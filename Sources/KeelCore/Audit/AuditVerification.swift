import Crypto
import Foundation

/// Checks an audit trail end to end: every record's hash is what its fields give, each names its
/// predecessor's hash, sequences run from 1 without a gap, and every checkpoint is signed (with the
/// key given) and still matches the record it names — so an edited, deleted, inserted or reordered
/// record, or a tail cut after a checkpoint, is found. A trail that retention cut from the start
/// begins later, where an `audit_purged` record in the chain says it does (its sequence and hash).
public struct AuditVerification: Sendable {
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        public var sequence: Int
        public var message: String
        public var description: String { "record \(sequence): \(message)" }
    }

    public var records = 0
    public var checkpoints = 0
    public var problems: [Problem] = []
    public var isIntact: Bool { problems.isEmpty }

    /// Reads the whole trail from `store`, a page at a time; checkpoints' signatures are checked
    /// with `secret` when given.
    public static func verify(_ store: any AuditStore, secret: String?) async throws -> AuditVerification {
        let key = secret.map(SymmetricKey.init(secret:))
        var verification = AuditVerification()
        let checkpoints = try await store.auditCheckpoints()
        let checked = Set(checkpoints.map(\.sequence))
        var previous: AuditRecord?
        var start: (sequence: Int, previousHash: String)?
        var vouched = false
        var next = 1
        var hashes: [Int: String] = [:]
        while true {
            let page = try await store.auditRecords(from: next, limit: 1_000)
            for record in page {
                if previous == nil, record.sequence > 1 { start = (record.sequence, record.previousHash) }
                verification.check(record, after: previous, start: start)
                if let start, record.kind == "audit_purged", let details = try? JSONParser.parse(record.details).objectValue,
                    details["through_sequence"]?.integerValue == Int64(start.sequence - 1), details["through_hash"]?.stringValue == start.previousHash
                {
                    vouched = true
                }
                if checked.contains(record.sequence) { hashes[record.sequence] = record.hash }
                verification.records += 1
                previous = record
            }
            guard let last = page.last, page.count == 1_000 else { break }
            next = last.sequence + 1
        }
        if let start, !vouched {
            verification.problems.insert(
                Problem(sequence: start.sequence, message: "records 1–\(start.sequence - 1) are missing (no purge record says they were purged)"),
                at: 0
            )
        }
        for checkpoint in checkpoints {
            verification.checkpoints += 1
            verification.check(checkpoint, hashes: hashes, first: start?.sequence ?? 1, last: previous?.sequence ?? 0, key: key)
        }
        return verification
    }

    /// Checks `record` follows `previous`; the trail's first record follows `start` when the trail
    /// was purged from the start (whether the purge was real is checked once the whole trail is read).
    mutating func check(_ record: AuditRecord, after previous: AuditRecord?, start: (sequence: Int, previousHash: String)?) {
        let expected = previous.map { $0.sequence + 1 } ?? start?.sequence ?? 1
        if record.sequence != expected {
            problems.append(
                Problem(
                    sequence: record.sequence,
                    message: record.sequence > expected ? "records \(expected)–\(record.sequence - 1) are missing" : "is out of order"
                )
            )
        }
        if record.previousHash != (previous?.hash ?? start?.previousHash ?? AuditRecord.origin) {
            problems.append(Problem(sequence: record.sequence, message: "does not follow the record before it (its previous hash differs)"))
        }
        if record.computedHash != record.hash {
            problems.append(Problem(sequence: record.sequence, message: "was changed (its hash does not match its fields)"))
        }
    }

    mutating func check(_ checkpoint: AuditCheckpoint, hashes: [Int: String], first: Int, last: Int, key: SymmetricKey?) {
        if let key {
            if checkpoint.signature.map({ $0 == checkpoint.signature(with: key) }) != true {
                problems.append(Problem(sequence: checkpoint.sequence, message: "its checkpoint's signature does not hold"))
            }
        }
        if checkpoint.sequence > last {
            problems.append(
                Problem(sequence: checkpoint.sequence, message: "is gone: the trail ends at \(last), but a checkpoint saw it (the tail was cut)")
            )
        } else if checkpoint.sequence >= first, hashes[checkpoint.sequence] != checkpoint.hash {
            problems.append(Problem(sequence: checkpoint.sequence, message: "differs from what its checkpoint saw (the trail was rewritten)"))
        }
    }

    public var json: JSONObject {
        JSONObject([
            ("intact", .bool(isIntact)), ("records", JSONValue(records)), ("checkpoints", JSONValue(checkpoints)),
            ("problems", .array(problems.map { ["sequence": JSONValue($0.sequence), "message": .string($0.message)] })),
        ])
    }
}
