import Crypto
import Foundation

/// Checks an audit trail end to end: every record's hash is what its fields give, each names its
/// predecessor's hash, sequences run from 1 without a gap, and every checkpoint is signed (with the
/// key given) and still matches the record it names — so an edited, deleted, inserted or reordered
/// record, or a tail cut after a checkpoint, is found.
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
        var previous: AuditRecord?
        var next = 1
        var hashes: [Int: String] = [:]
        while true {
            let page = try await store.auditRecords(from: next, limit: 1_000)
            for record in page {
                verification.check(record, after: previous, hashes: &hashes)
                previous = record
            }
            guard let last = page.last, page.count == 1_000 else { break }
            next = last.sequence + 1
        }
        verification.records = hashes.count
        for checkpoint in try await store.auditCheckpoints() {
            verification.checkpoints += 1
            verification.check(checkpoint, hashes: hashes, last: previous?.sequence ?? 0, key: key)
        }
        return verification
    }

    mutating func check(_ record: AuditRecord, after previous: AuditRecord?, hashes: inout [Int: String]) {
        let expected = (previous?.sequence ?? 0) + 1
        if record.sequence != expected {
            problems.append(
                Problem(
                    sequence: record.sequence,
                    message: record.sequence > expected ? "records \(expected)–\(record.sequence - 1) are missing" : "is out of order"
                )
            )
        }
        if record.previousHash != (previous?.hash ?? AuditRecord.origin) {
            problems.append(Problem(sequence: record.sequence, message: "does not follow the record before it (its previous hash differs)"))
        }
        if record.computedHash != record.hash {
            problems.append(Problem(sequence: record.sequence, message: "was changed (its hash does not match its fields)"))
        }
        hashes[record.sequence] = record.hash
    }

    mutating func check(_ checkpoint: AuditCheckpoint, hashes: [Int: String], last: Int, key: SymmetricKey?) {
        if let key {
            if checkpoint.signature.map({ $0 == checkpoint.signature(with: key) }) != true {
                problems.append(Problem(sequence: checkpoint.sequence, message: "its checkpoint's signature does not hold"))
            }
        }
        if checkpoint.sequence > last {
            problems.append(
                Problem(sequence: checkpoint.sequence, message: "is gone: the trail ends at \(last), but a checkpoint saw it (the tail was cut)")
            )
        } else if let hash = hashes[checkpoint.sequence], hash != checkpoint.hash {
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
