import Crypto
import Foundation

/// What the audit trail records: who did what to what, and its particulars (never a secret, never
/// personal data: a key's id, not its secret; a review's id, not its case).
public struct AuditEvent: Sendable, Hashable {
    public var kind: String
    public var actor: String?
    public var subject: String?
    public var details: JSONObject

    public init(_ kind: String, actor: String?, subject: String? = nil, details: JSONObject = JSONObject()) {
        self.kind = kind
        self.actor = actor
        self.subject = subject
        self.details = details
    }
}

/// One record of the append-only audit trail: its place in the chain, the event, and the hash
/// that binds it to the record before it (SHA-256 over its fields and that record's hash).
public struct AuditRecord: Sendable, Hashable {
    public var sequence: Int
    /// Milliseconds since 1970, as stored and hashed.
    public var atMilliseconds: Int64
    public var kind: String
    public var actor: String?
    public var subject: String?
    /// The details as stored and hashed: a JSON object's text.
    public var details: String
    public var previousHash: String
    public var hash: String

    /// The hash a chain starts from.
    public static let origin = String(repeating: "0", count: 64)

    /// The record `event` becomes after `previous` (the chain's start when `nil`).
    public init(_ event: AuditEvent, after previous: AuditRecord?, at date: Date) {
        sequence = (previous?.sequence ?? 0) + 1
        atMilliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        kind = event.kind
        actor = event.actor
        subject = event.subject
        details = JSONValue.object(event.details).jsonString
        previousHash = previous?.hash ?? Self.origin
        hash = ""
        hash = computedHash
    }

    public init(
        sequence: Int,
        atMilliseconds: Int64,
        kind: String,
        actor: String?,
        subject: String?,
        details: String,
        previousHash: String,
        hash: String
    ) {
        self.sequence = sequence
        self.atMilliseconds = atMilliseconds
        self.kind = kind
        self.actor = actor
        self.subject = subject
        self.details = details
        self.previousHash = previousHash
        self.hash = hash
    }

    public var at: Date { Date(timeIntervalSince1970: Double(atMilliseconds) / 1000) }

    /// The hash the record's fields and its predecessor's hash give: what `hash` must be.
    public var computedHash: String {
        let fields = ["\(sequence)", "\(atMilliseconds)", kind, actor ?? "", subject ?? "", details, previousHash]
        // Each field is prefixed with its length, so that no two records hash the same text.
        let text = fields.map { "\($0.utf8.count):\($0)" }.joined(separator: "\n")
        return Digest.sha256Hex(text)
    }

    public var json: JSONObject {
        JSONObject([
            ("sequence", JSONValue(sequence)), ("at", .string(ISO8601DateFormatter.keel.string(from: at))), ("at_ms", JSONValue(Int(atMilliseconds))),
            ("kind", .string(kind)), ("actor", JSONValue(actor)), ("subject", JSONValue(subject)),
            ("details", (try? JSONParser.parse(details)) ?? .string(details)), ("previous_hash", .string(previousHash)), ("hash", .string(hash)),
        ])
    }
}

/// A signed note of the chain's head: that record `sequence` had `hash` at `at`. A trail cut after
/// a checkpoint no longer reaches it; one rewritten before it no longer matches it.
public struct AuditCheckpoint: Sendable, Hashable {
    public var sequence: Int
    public var hash: String
    public var atMilliseconds: Int64
    /// HMAC-SHA256 of the checkpoint under the key from the environment; `nil` when none is configured.
    public var signature: String?

    public init(sequence: Int, hash: String, atMilliseconds: Int64, signature: String?) {
        self.sequence = sequence
        self.hash = hash
        self.atMilliseconds = atMilliseconds
        self.signature = signature
    }

    /// A checkpoint of `head` at `date`, signed with `key` when there is one.
    public init(of head: AuditRecord, at date: Date, key: SymmetricKey?) {
        self.init(sequence: head.sequence, hash: head.hash, atMilliseconds: Int64((date.timeIntervalSince1970 * 1000).rounded()), signature: nil)
        signature = key.map { signature(with: $0) }
    }

    public func signature(with key: SymmetricKey) -> String {
        let text = "\(sequence)\n\(hash)\n\(atMilliseconds)"
        return Digest.hex(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key))
    }

    public var json: JSONObject {
        JSONObject([
            ("checkpoint", JSONValue(sequence)), ("hash", .string(hash)), ("at_ms", JSONValue(Int(atMilliseconds))),
            ("signature", JSONValue(signature)),
        ])
    }
}

extension AuditEvent {
    /// A key was created: its id, name, role and team (never its secret or hash).
    public static func keyCreated(_ key: APIKey, by actor: String?) -> AuditEvent {
        AuditEvent("key_created", actor: actor, subject: key.id, details: keyDetails(key))
    }

    public static func keyRevoked(_ key: APIKey, by actor: String?) -> AuditEvent {
        AuditEvent("key_revoked", actor: actor, subject: key.id, details: keyDetails(key))
    }

    private static func keyDetails(_ key: APIKey) -> JSONObject {
        JSONObject([("name", .string(key.name)), ("role", .string(key.role.rawValue)), ("team", JSONValue(key.team))])
    }
}

extension AuditEvent {
    /// What `record` kept out of storage, by type, action and position (never a value): `nil`
    /// when it redacted nothing.
    public static func redactions(of record: RequestRecord) -> AuditEvent? {
        guard !record.redactions.isEmpty else { return nil }
        let details = JSONObject([("route", JSONValue(record.route)), ("redactions", .array(record.redactions.map(\.json)))])
        return AuditEvent("pii_redacted", actor: record.keyID, subject: record.id, details: details)
    }
}

extension AuditEvent {
    /// Retention removed the trail's records through `last`: the trail now starts after it, and
    /// this record (in the chain, checkpointed like any other) vouches for where.
    public static func auditPurged(through last: AuditRecord, removed: Int, by actor: String) -> AuditEvent {
        let details = JSONObject([
            ("through_sequence", JSONValue(last.sequence)), ("through_hash", .string(last.hash)), ("removed", JSONValue(removed)),
        ])
        return AuditEvent("audit_purged", actor: actor, subject: "audit", details: details)
    }
}
