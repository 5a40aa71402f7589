import Foundation
import KeelCore
import KeelStore
import KeelTesting
import Testing

/// Retention on both backends, with a manual clock: a purge removes exactly what is past its
/// period — each class by its own date, each route by its own period or the default — counts it
/// as the status did, records it in the audit trail, and removes nothing on a second run. The
/// audit trail cut from its start still verifies, and a record deleted after the cut is still found.
@Suite struct RetentionTests {
    static let day: TimeInterval = 86_400
    static let origin = Date(timeIntervalSince1970: 1_800_000_000)
    /// "Now" for the purge: 500 days after the clock's origin.
    static let now = origin.addingTimeInterval(500 * day)

    static let policy = RetentionPolicy(
        defaults: RetentionPeriods([.bodies: 30 * day, .metadata: 90 * day, .workflowSteps: 30 * day, .reviews: 365 * day, .audit: 400 * day]),
        routes: ["short": RetentionPeriods([.bodies: 7 * day])]
    )

    static func request(_ id: String, route: String?, age: TimeInterval) -> RequestRecord {
        var record = RequestRecord(
            id: id,
            startedAt: now.addingTimeInterval(-age * day),
            operation: "chat",
            route: route,
            status: 200,
            durationMs: 5,
            requestBody: "asked by \(id)",
            responseBody: "answered to \(id)"
        )
        record.metadata = JSONObject([("note", .string(id))])
        return record
    }

    /// Data of every class at known ages; the clock stands at `now`, the trail's records behind it.
    static func seed(_ storage: KeelStorage, clock: ManualClock) async throws {
        let trail = AuditTrail(store: storage.audit, clock: clock.keelClock)
        for index in 1...3 { try await trail.record(AuditEvent("key_created", actor: "admin", subject: "key_\(index)")) }
        clock.advance(by: .seconds(490 * day))
        for index in 4...5 { try await trail.record(AuditEvent("key_created", actor: "admin", subject: "key_\(index)")) }
        try await trail.checkpoint(signedWith: "retention-secret-0123456789")
        clock.advance(by: .seconds(10 * day))

        try await storage.log.append([
            request("r-long-100", route: "long", age: 100), request("r-long-40", route: "long", age: 40),
            request("r-long-20", route: "long", age: 20),
            request("r-short-10", route: "short", age: 10), request("r-short-3", route: "short", age: 3), request("r-none-40", route: nil, age: 40),
        ])
        for age in [40.0, 20] {
            try await storage.quarantine.quarantine(
                QuarantinedRequest(route: "long", team: nil, keyID: nil, receivedAt: now.addingTimeInterval(-age * day), body: "{}", problems: [])
            )
        }
        for (id, age, steps) in [("w-idle", 40.0, 2), ("w-recent", 5, 1)] {
            let ref = WorkflowRef(keyID: "key_1", id: id)
            for number in 1...steps {
                let at = now.addingTimeInterval(-age * day)
                var step = WorkflowStep(workflow: ref, requestID: "\(id)-\(number)", input: [JSONObject([("role", "user")])], startedAt: at)
                step.number = try #require(try await storage.workflows.beginStep(step, team: nil, route: "long", replica: "rep"))
                step.status = .completed
                step.finishedAt = at
                try await storage.workflows.finishStep(step)
                let response = SavedResponse(
                    id: "resp_\(id)-\(number)",
                    keyID: "key_1",
                    team: nil,
                    conversation: id,
                    requestID: step.requestID,
                    createdAt: at,
                    object: JSONObject([("status", "completed")])
                )
                try await storage.responses.save(response)
            }
        }
        for (id, decidedAge) in [("rev-old", 400.0), ("rev-new", 10)] {
            var review = ReviewTests.review(JSONObject())
            review.id = id
            review.route = "long"
            try await storage.reviews.holdReview(review)
            let at = now.addingTimeInterval(-decidedAge * day)
            _ = try await storage.reviews.decideReview(id: id, decision: ReviewDecision(verdict: .approved, reviewer: "ana", decidedAt: at), now: at)
        }
        var pending = ReviewTests.review(JSONObject())
        pending.id = "rev-pending"
        pending.createdAt = now.addingTimeInterval(-500 * day)
        try await storage.reviews.holdReview(pending)
    }

    @Test(arguments: TestBackend.available)
    func aPurgeRemovesExactlyWhatIsPastItsPeriod(on backend: TestBackend) async throws {
        try await backend.withStorage { storage in
            let clock = ManualClock(origin: Self.origin)
            try await Self.seed(storage, clock: clock)
            let audit = AuditTrail(store: storage.audit, clock: clock.keelClock)
            let purge = RetentionPurge(policy: Self.policy, store: storage.retention, audit: audit, clock: clock.keelClock)

            let expected: [String: Int] = [
                "bodies/short": 1, "bodies/every other route": 4, "metadata/every route": 1, "workflow_steps/every route": 2,
                "reviews/every route": 1, "audit/every route": 3,
            ]
            let status = try await purge.status()
            let before = Dictionary(uniqueKeysWithValues: status.map { ("\($0.data.rawValue)/\($0.scope)", $0.retained.expired) })
            #expect(before == expected, "the status counts what the purge will remove")
            let oldestBody = status.first { $0.data == .bodies && $0.scope == .others(excluding: ["short"]) }?.retained.oldest
            #expect(oldestBody == Self.now.addingTimeInterval(-100 * Self.day))

            let removed = try await purge.run(by: "rep_test")
            #expect(Dictionary(uniqueKeysWithValues: removed.map { ("\($0.data.rawValue)/\($0.scope)", $0.removed) }) == expected)

            let rows = Dictionary(uniqueKeysWithValues: try await storage.log.requests(matching: RequestQuery(limit: 100)).map { ($0.id, $0) })
            let kept = rows.values.filter { $0.requestBody != nil }.map(\.id).sorted()
            #expect(kept == ["r-long-20", "r-short-3"], "bodies past their route's period are cleared, the rest kept")
            #expect(rows.values.filter { $0.metadata != nil }.count == 5 && rows["r-long-100"]?.metadata == nil)
            #expect(rows.count == 6 && rows["r-long-100"]?.durationMs == 5, "the requests themselves stay: cost and drift read them")
            let quarantined = try await storage.quarantine.quarantined(route: "long", status: nil, in: .all, limit: 10)
            #expect(quarantined.count == 1 && quarantined.first?.receivedAt == Self.now.addingTimeInterval(-20 * Self.day))
            #expect(try await storage.workflows.workflow(WorkflowRef(keyID: "key_1", id: "w-idle")) == nil)
            #expect(try await storage.workflows.steps(of: WorkflowRef(keyID: "key_1", id: "w-recent")).count == 1)
            #expect(try await storage.responses.response("resp_w-idle-1", keyID: "key_1") == nil, "kept responses go with their conversation")
            #expect(try await storage.responses.response("resp_w-recent-1", keyID: "key_1") != nil)
            let old = try await storage.reviews.review(id: "rev-old")
            let recent = try await storage.reviews.review(id: "rev-new")
            #expect(old == nil && recent != nil)
            #expect(try await storage.reviews.review(id: "rev-pending") != nil, "an undecided review is never purged")

            let records = try await storage.audit.auditRecords(from: 1, limit: 100)
            #expect(records.first?.sequence == 4, "records 1–3 were past 400 days")
            let purges = records.filter { $0.kind == "retention_purged" }.map(\.subject)
            #expect(purges == ["bodies", "bodies", "metadata", "workflow_steps", "reviews"])
            #expect(records.contains { $0.kind == "audit_purged" && $0.details.contains(#""through_sequence":3"#) })
            let verification = try await AuditVerification.verify(storage.audit, secret: "retention-secret-0123456789")
            #expect(verification.isIntact, "a trail cut by retention still verifies: \(verification.problems)")

            let again = try await purge.run(by: "rep_test")
            #expect(again.allSatisfy { $0.removed == 0 }, "nothing left past its period")
        }
    }

    @Test(arguments: TestBackend.available)
    func aRecordDeletedFromThePurgedTrailsStartIsFound(on backend: TestBackend) async throws {
        try await backend.withConfiguration { configuration in
            try await KeelStorage.with(configuration, logger: TestBackend.quiet) { storage in
                let clock = ManualClock(origin: Self.origin)
                try await Self.seed(storage, clock: clock)
                let policy = RetentionPolicy(defaults: RetentionPeriods([.audit: 400 * Self.day]))
                try await RetentionPurge(policy: policy, store: storage.retention, audit: nil, clock: clock.keelClock).run(by: "rep_test")
            }
            try await AuditTrailTests.execute("DELETE FROM audit_records WHERE sequence = 4", on: configuration)
            let verification = try await KeelStorage.with(configuration, logger: TestBackend.quiet) { storage in
                try await AuditVerification.verify(storage.audit, secret: nil)
            }
            #expect(verification.problems.first?.message.contains("no purge record") == true, "\(verification.problems)")
        }
    }
}
