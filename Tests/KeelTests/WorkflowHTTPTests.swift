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

            // Another key sending the same id starts a workflow of its own: it neither joins nor learns of the first.
            let stranger = try await client.post("/v1/chat/completions", byMetadata, key: TestGateway.adminKey)
            #expect(stranger.status == .ok && stranger.headers[HTTPField.Name("x-keel-workflow-step")!] == "1", "\(stranger.status)")

            let list = try await client.get("/api/workflows?status=open", key: TestGateway.adminKey).json
            let listed = list.objectValue?["data"]?.arrayValue?.compactMap(\.objectValue) ?? []
            #expect(listed.map { $0["id"]?.stringValue } == ["wf-http", "wf-http"] && Set(listed.map { $0["key_id"] }).count == 2)
            let ambiguous = try await client.get("/api/workflows/wf-http", key: TestGateway.adminKey)
            #expect(ambiguous.status == .badRequest && ambiguous.json.objectValue?["error"]?.objectValue?["param"] == "key")
            let appKeyID = try #require(listed.last?["key_id"]?.stringValue, "the app key's workflow is the older")
            let timeline = try await client.get("/api/workflows/wf-http?key=\(appKeyID)", key: TestGateway.adminKey).json.objectValue
            let steps = timeline?["steps"]?.arrayValue?.compactMap(\.objectValue) ?? []
            #expect(steps.map { $0["status"]?.stringValue } == ["completed", "completed"])
            #expect(steps.last?["input"]?.arrayValue?.count == 1, "only the new message is stored with the step")
            #expect(try await client.get("/api/workflows/wf-http?key=\(appKeyID)", key: TestGateway.appKey).status == .forbidden, "for admins")

            let completed = try await client.post("/api/workflows/wf-http/complete", "")
            #expect(completed.json.objectValue?["status"]?.stringValue == "completed", "its own key may complete it")
            let late = try await client.post("/v1/chat/completions", byMetadata)
            #expect(late.status == .conflict && late.json.objectValue?["error"]?.objectValue?["code"]?.stringValue == "workflow_completed")

            let report = try await client.get("/api/workflow-report?days=1", key: TestGateway.adminKey).json.objectValue
            let line = try #require(report?["data"]?.arrayValue?.first?.objectValue)
            #expect(line["route"]?.stringValue == "gpt-test" && line["started"]?.integerValue == 2 && line["completed"]?.integerValue == 1)
            #expect(line["completion_rate"]?.doubleValue == 0.5 && line["steps"]?.integerValue == 3)
            let perCompleted = try #require(line["cost_per_completed_workflow_usd"]?.doubleValue)
            let perStep = try #require(line["cost_per_step_usd"]?.doubleValue)
            #expect(perCompleted > perStep && perStep > 0, "the completed workflow has two steps")
            #expect(try await client.get("/api/workflow-report", key: TestGateway.appKey).status == .forbidden)
            let wrong = try await client.get("/api/workflow-report?days=0", key: TestGateway.adminKey)
            #expect(wrong.status == .badRequest && wrong.json.objectValue?["error"]?.objectValue?["param"]?.stringValue == "days")

            let metrics = try await client.metrics()
            #expect(metrics.contains(#"keel_workflows{route="gpt-test",state="completed"} 1"#), "\(metrics)")
            #expect(metrics.contains(#"keel_workflow_completion_ratio{route="gpt-test"} 0.5"#))
            let identical = metrics.split(separator: "\n").first { $0.hasPrefix(#"keel_workflow_output_identical_ratio{route="gpt-test"}"#) }
            #expect(identical != nil && identical?.hasSuffix("nan") == false, "both workflows were sent 'and then?'")
        }
    }
}
