import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KeelCore
import Testing

/// The workflow API over HTTP: steps joined by header or metadata, the timeline, completing, the
/// execution report and its gauges in `/metrics`.
@Suite struct WorkflowHTTPTests {
    @Test func aWorkflowIsListedCompletedReportedAndMeasured() async throws {
        try await TestGateway().test { client in
            let byHeader = try await client.execute(
                uri: "/v1/chat/completions",
                method: .post,
                headers: [
                    .contentType: "application/json", .authorization: "Bearer \(TestGateway.appKey)",
                    HTTPField.Name("x-keel-workflow-id")!: "wf-http",
                ],
                body: ByteBuffer(string: goodChat)
            )
            #expect(byHeader.status == .ok && byHeader.headers[HTTPField.Name("x-keel-workflow-id")!] == "wf-http")
            let byMetadata = #"{"model":"gpt-test","metadata":{"workflow_id":"wf-http"},"messages":[{"role":"user","content":"and then?"}]}"#
            let second = try await client.post("/v1/chat/completions", byMetadata)
            #expect(second.status == .ok && second.headers[HTTPField.Name("x-keel-workflow-step")!] == "2")

            let stranger = try await client.post("/v1/chat/completions", byMetadata, key: TestGateway.adminKey)
            #expect(stranger.status == .notFound, "another key cannot add steps to it")

            let list = try await client.get("/api/workflows?status=open", key: TestGateway.adminKey).json
            #expect(list.objectValue?["data"]?.arrayValue?.map { $0.objectValue?["id"]?.stringValue } == ["wf-http"])
            let timeline = try await client.get("/api/workflows/wf-http", key: TestGateway.adminKey).json.objectValue
            let steps = timeline?["steps"]?.arrayValue?.compactMap(\.objectValue) ?? []
            #expect(steps.map { $0["status"]?.stringValue } == ["completed", "completed"])
            #expect(steps.last?["input"]?.arrayValue?.count == 1, "only the new message is stored with the step")
            #expect(try await client.get("/api/workflows/wf-http", key: TestGateway.appKey).status == .forbidden, "the timeline is for admins")

            let completed = try await client.post("/api/workflows/wf-http/complete", "")
            #expect(completed.json.objectValue?["status"]?.stringValue == "completed", "its own key may complete it")
            let late = try await client.post("/v1/chat/completions", byMetadata)
            #expect(late.status == .conflict && late.json.objectValue?["error"]?.objectValue?["code"]?.stringValue == "workflow_completed")

            let report = try await client.get("/api/workflow-report?days=1", key: TestGateway.adminKey).json.objectValue
            let line = try #require(report?["data"]?.arrayValue?.first?.objectValue)
            #expect(line["route"]?.stringValue == "gpt-test" && line["started"]?.integerValue == 1 && line["completed"]?.integerValue == 1)
            #expect(line["completion_rate"]?.doubleValue == 1 && line["steps"]?.integerValue == 2)
            let perCompleted = try #require(line["cost_per_completed_workflow_usd"]?.doubleValue)
            let perStep = try #require(line["cost_per_step_usd"]?.doubleValue)
            #expect(perCompleted > 0 && abs(perCompleted - 2 * perStep) < 1e-9, "a two-step workflow costs two steps")
            #expect(try await client.get("/api/workflow-report", key: TestGateway.appKey).status == .forbidden)
            let wrong = try await client.get("/api/workflow-report?days=0", key: TestGateway.adminKey)
            #expect(wrong.status == .badRequest && wrong.json.objectValue?["error"]?.objectValue?["param"]?.stringValue == "days")

            let metrics = String(buffer: try await client.get("/metrics", key: nil).body)
            #expect(metrics.contains(#"keel_workflows{route="gpt-test",state="completed"} 1"#), "\(metrics)")
            #expect(metrics.contains(#"keel_workflow_completion_ratio{route="gpt-test"} 1"#))
            #expect(metrics.contains(#"keel_workflow_output_identical_ratio{route="gpt-test"} nan"#), "nothing repeated yet")
        }
    }
}
