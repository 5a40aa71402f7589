import Foundation
import GRDB
import KeelCore
import KeelStore
import Testing

/// The audit trail on both backends: appends from many tasks make one chain, and any edited,
/// deleted, inserted or reordered record, or a tail cut after a checkpoint, is found — each by
/// tampering with the database behind the store's back, as someone with its password could.
@Suite struct AuditTrailTests {
    static let secret = "audit-secret-0123456789abcdef"

    /// A trail of ten records and a signed checkpoint of its head, then `tamper` run as raw SQL.
    func verify(on backend: TestBackend, after tamper: String?, checkpointAt: Int = 10) async throws -> AuditVerification {
        try await backend.withConfiguration { configuration in
            try await KeelStorage.with(configuration, logger: TestBackend.quiet) { storage in
                let trail = AuditTrail(store: storage.audit)
                for index in 1...10 {
                    try await trail.record(AuditEvent("key_created", actor: "admin", subject: "key_\(index)", details: JSONObject([("role", "app")])))
                    if index == checkpointAt { try await trail.checkpoint(signedWith: Self.secret) }
                }
            }
            if let tamper { try await Self.execute(tamper, on: configuration) }
            return try await KeelStorage.with(configuration, logger: TestBackend.quiet) { storage in
                try await AuditVerification.verify(storage.audit, secret: Self.secret)
            }
        }
    }

    static func execute(_ sql: String, on configuration: StorageConfiguration) async throws {
        switch configuration {
        case .sqlite(let path):
            let queue = try DatabaseQueue(path: path)
            try await queue.write { db in try db.execute(sql: sql) }
        case .postgres(let url, _):
            for statement in sql.components(separatedBy: ";\n") {
                try await PostgresStore.execute(statement, onServerAt: url, logger: TestBackend.quiet)
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func appendsFromManyTasksMakeOneUnbrokenChain(on backend: TestBackend) async throws {
        try await backend.withStorage { storage in
            let trail = AuditTrail(store: storage.audit)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<40 {
                    group.addTask { try await trail.record(AuditEvent("signed_in", actor: "user\(index)", subject: "key_\(index)")) }
                }
                try await group.waitForAll()
            }
            let records = try await storage.audit.auditRecords(from: 1, limit: 100)
            #expect(records.map(\.sequence) == Array(1...40))
            #expect(try await trail.checkpoint(signedWith: Self.secret)?.sequence == 40)
            #expect(try await trail.checkpoint(signedWith: Self.secret) == nil, "nothing new to note")
            let verification = try await AuditVerification.verify(storage.audit, secret: Self.secret)
            #expect(verification.isIntact && verification.records == 40 && verification.checkpoints == 1, "\(verification.problems)")
            let wrongKey = try await AuditVerification.verify(storage.audit, secret: "another-secret-0123456789")
            #expect(wrongKey.problems.map(\.sequence) == [40], "a checkpoint signed with another key")
        }
    }

    @Test(arguments: TestBackend.available)
    func aBatchIsAppendedInOrderInOneStep(on backend: TestBackend) async throws {
        try await backend.withStorage { storage in
            let trail = AuditTrail(store: storage.audit)
            try await trail.record(AuditEvent("signed_in", actor: "first"))
            try await trail.record((1...1_203).map { AuditEvent("pii_redacted", actor: "app", subject: "req_\($0)") })
            let records = try await storage.audit.auditRecords(from: 1, limit: 2_000)
            #expect(records.map(\.sequence) == Array(1...1_204) && records.last?.subject == "req_1203")
            let verification = try await AuditVerification.verify(storage.audit, secret: nil)
            #expect(verification.isIntact && verification.records == 1_204, "\(verification.problems)")
        }
    }

    @Test(arguments: TestBackend.available)
    func anUntouchedTrailIsIntact(on backend: TestBackend) async throws {
        let verification = try await verify(on: backend, after: nil)
        #expect(verification.isIntact && verification.records == 10, "\(verification.problems)")
    }

    @Test(arguments: TestBackend.available)
    func anEditedRecordIsFound(on backend: TestBackend) async throws {
        let verification = try await verify(on: backend, after: "UPDATE audit_records SET details = '{\"role\":\"admin\"}' WHERE sequence = 4")
        #expect(verification.problems.map(\.sequence) == [4] && verification.problems[0].message.contains("changed"), "\(verification.problems)")
    }

    @Test(arguments: TestBackend.available)
    func aDeletedRecordIsFound(on backend: TestBackend) async throws {
        let verification = try await verify(on: backend, after: "DELETE FROM audit_records WHERE sequence = 6")
        #expect(verification.problems.contains { $0.sequence == 7 && $0.message.contains("missing") }, "\(verification.problems)")
    }

    @Test(arguments: TestBackend.available)
    func anInsertedRecordIsFound(on backend: TestBackend) async throws {
        // Room is made after record 5 and a record that names record 5's hash goes in: the chain
        // reads on from the forgery, but record 7 (once 6) no longer follows what is before it.
        let verification = try await verify(
            on: backend,
            after: """
                UPDATE audit_records SET sequence = sequence + 100 WHERE sequence > 5;
                UPDATE audit_records SET sequence = sequence - 99 WHERE sequence > 100;
                INSERT INTO audit_records (sequence, at_ms, kind, actor, subject, details, previous_hash, hash)
                SELECT 6, at_ms, 'key_created', 'intruder', 'key_x', '{}', hash, hash FROM audit_records WHERE sequence = 5
                """
        )
        #expect(!verification.isIntact && verification.problems.contains { $0.sequence == 6 || $0.sequence == 7 }, "\(verification.problems)")
        #expect(verification.problems.contains { $0.sequence == 10 && $0.message.contains("checkpoint") }, "the checkpoint no longer matches")
    }

    @Test(arguments: TestBackend.available)
    func reorderedRecordsAreFound(on backend: TestBackend) async throws {
        let verification = try await verify(
            on: backend,
            after: """
                UPDATE audit_records SET sequence = 100 WHERE sequence = 3;
                UPDATE audit_records SET sequence = 3 WHERE sequence = 4;
                UPDATE audit_records SET sequence = 4 WHERE sequence = 100
                """
        )
        #expect(
            verification.problems.contains { $0.sequence == 3 } && verification.problems.contains { $0.sequence == 4 },
            "\(verification.problems)"
        )
    }

    @Test(arguments: TestBackend.available)
    func aTailCutAfterACheckpointIsFound(on backend: TestBackend) async throws {
        let verification = try await verify(on: backend, after: "DELETE FROM audit_records WHERE sequence > 7", checkpointAt: 9)
        #expect(verification.problems.map(\.sequence) == [9] && verification.problems[0].message.contains("tail was cut"), "\(verification.problems)")
    }

    @Test func keelAuditVerifyExitsOneOnATamperedTrailAndExportsItsProofs() async throws {
        try await withTemporaryDirectory { directory in
            let config = "\(directory)/keel.yaml"
            try """
            storage: { path: \(directory)/keel.sqlite }
            audit: { signing_key_env: KEEL_TEST_AUDIT_KEY }
            providers: { sim: { type: simulated } }
            models: { m: { provider: sim } }
            routes: { chat: m }
            """.write(toFile: config, atomically: true, encoding: .utf8)
            let environment = ["KEEL_TEST_AUDIT_KEY": Self.secret]
            for name in ["a", "b"] { _ = try KeelProcess.run(["keys", "create", "--name", name, "--config", config], environment: environment) }
            let intact = try KeelProcess.run(["audit", "verify", "--config", config], environment: environment)
            #expect(intact.status == 0 && intact.output.contains("2 records"), "\(intact.output)")
            let exported = try KeelProcess.run(["audit", "export", "--config", config], environment: environment).output.split(separator: "\n")
            #expect(exported.count == 2 && exported[0].contains("\"kind\":\"key_created\"") && exported[0].contains("\"previous_hash\":\"0000"))
            #expect(!exported.joined().contains("sk-keel"), "no secret in the trail")
            try await Self.execute(
                "UPDATE audit_records SET actor = 'someone else' WHERE sequence = 1",
                on: .sqlite(path: "\(directory)/keel.sqlite")
            )
            let broken = try KeelProcess.run(["audit", "verify", "--config", config], environment: environment)
            #expect(broken.status == 1 && broken.output.contains("record 1: was changed"), "\(broken.output)")
        }
    }
}
