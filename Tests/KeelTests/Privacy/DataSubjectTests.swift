import Foundation
import HTTPTypes
import HummingbirdTesting
import KeelCore
import KeelStore
import Testing

/// A data subject's requests on both backends: the export holds every request of theirs with its
/// review and workflow step and nothing of anyone else's; the deletion erases their content and
/// the rows hanging off their requests, leaves the accounting and other subjects' data, and both
/// are in the audit trail under the digest, never the id. On the request path, `user` is kept as
/// its digest.
@Suite struct DataSubjectTests {
    static let now = Date(timeIntervalSince1970: 1_900_000_000)

    static func request(_ id: String, user: String, workflow: String? = nil) -> RequestRecord {
        var record = RequestRecord(
            id: id,
            startedAt: now,
            operation: "chat",
            keyID: "key_1",
            route: "chat",
            status: 200,
            durationMs: 5,
            cost: Money(dollars: 0.01),
            workflowID: workflow,
            requestBody: "asked by \(user)",
            responseBody: "answered to \(user)"
        )
        record.metadata = JSONObject([("order", .string("o-\(id)"))])
        record.subject = DataSubject.digest(of: user)
        return record
    }

    @Test(arguments: TestBackend.available)
    func aSubjectIsExportedWholeAndErasedAloneAndBothAreAudited(on backend: TestBackend) async throws {
        try await backend.withStorage { storage in
            try await storage.log.append([
                Self.request("r1", user: "ana@example.com", workflow: "w1"), Self.request("r2", user: "ana@example.com"),
                Self.request("r3", user: "ben"),
            ])
            let ref = WorkflowRef(keyID: "key_1", id: "w1")
            var step = WorkflowStep(workflow: ref, requestID: "r1", input: [JSONObject([("role", "user"), ("content", "hi")])], startedAt: Self.now)
            step.number = try #require(try await storage.workflows.beginStep(step, team: nil, route: "chat", replica: "rep"))
            for (id, request) in [("resp_ana", "r1"), ("resp_ben", "r3")] {
                let object = JSONObject([("id", .string(id)), ("status", "completed")])
                try await storage.responses.save(
                    SavedResponse(id: id, keyID: "key_1", team: nil, conversation: "w1", requestID: request, createdAt: Self.now, object: object)
                )
            }
            var review = ReviewTests.review(JSONObject([("messages", "ana's case")]))
            review.requestID = "r2"
            try await storage.reviews.holdReview(review)
            try await storage.feedback.insert(Feedback(requestID: "r2", team: nil, keyID: "key_1", comment: "from ana", createdAt: Self.now))
            try await storage.feedback.insert(Feedback(requestID: "r3", team: nil, keyID: "key_1", comment: "from ben", createdAt: Self.now))

            let subjects = DataSubjects(
                subjects: storage.subjects,
                log: storage.log,
                reviews: storage.reviews,
                workflows: storage.workflows,
                audit: AuditTrail(store: storage.audit)
            )
            let exported = try await subjects.export(user: "ana@example.com", by: "dpo", now: Self.now)
            #expect(exported.map { $0["type"]?.stringValue ?? "" } == ["request", "workflow_step", "request", "review"])
            #expect(exported.filter { $0["type"] == "request" }.compactMap { $0["id"]?.stringValue } == ["r1", "r2"])
            #expect(!JSONValue.array(exported.map(JSONValue.object)).jsonString.contains("ben"))

            let erased = try await subjects.delete(user: "ana@example.com", by: "dpo")
            #expect(erased.requests == 2 && erased.reviews == 1 && erased.workflowSteps == 1 && erased.feedback == 1)
            #expect(erased.storedAnswers == 1, "the Responses API's kept response of ana's request")
            #expect(try await storage.responses.response("resp_ana", keyID: "key_1") == nil)
            #expect(try await storage.responses.response("resp_ben", keyID: "key_1") != nil)
            let rows = Dictionary(uniqueKeysWithValues: try await storage.log.requests(matching: RequestQuery(limit: 10)).map { ($0.id, $0) })
            #expect(rows["r1"]?.requestBody == nil && rows["r1"]?.metadata == nil && rows["r1"]?.subject == nil)
            #expect(rows["r1"]?.cost == Money(dollars: 0.01), "the accounting stays")
            #expect(rows["r3"]?.requestBody == "asked by ben" && rows["r3"]?.subject == DataSubject.digest(of: "ben"))
            let left = try await storage.feedback.feedback(on: ["r2", "r3"], in: .all).map(\.comment)
            #expect(left == ["from ben"])
            #expect(try await subjects.export(user: "ana@example.com", by: "dpo", now: Self.now).isEmpty, "nothing of ana is left to find")

            let trail = try await storage.audit.auditRecords(from: 1, limit: 10)
            #expect(trail.map(\.kind) == ["subject_exported", "subject_deleted", "subject_exported"])
            #expect(trail.allSatisfy { $0.subject == DataSubject.digest(of: "ana@example.com") && !$0.details.contains("ana") })
        }
    }

    @Test func theRequestPathKeepsTheUserAsItsDigest() async throws {
        try await TestGateway().test { client in
            let body = #"{"model":"gpt-test","user":"ana@example.com","messages":[{"role":"user","content":"hi"}]}"#
            #expect(try await client.post("/v1/chat/completions", body).status == .ok)
            let row = try #require(try await client.requestLog(count: 1).first)
            #expect(row["subject"]?.stringValue == DataSubject.digest(of: "ana@example.com"))
        }
    }
}
