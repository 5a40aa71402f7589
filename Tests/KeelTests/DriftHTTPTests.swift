import Foundation
import HTTPTypes
import HummingbirdTesting
import KeelCore
import KeelStore
import NIOCore
import Testing

/// `/api/drift` and the drift page over HTTP, from stored windows and judgements.
@Suite struct DriftHTTPTests {
    static let hour = Date(timeIntervalSince1970: 3_600 * 480_000)

    static func seed(_ storage: KeelStorage) async throws {
        for index in 0..<4 {
            let tokens: [JSONValue] = (0..<200).map { JSONValue((index == 3 ? 150 : 100) + $0 % 50) }
            let reasons: [JSONValue] = (0..<200).map { $0 % 10 == 0 ? "length" : "stop" }
            let window = DriftRollup.Window(
                route: "gpt-test",
                start: hour.addingTimeInterval(Double(index) * 3_600),
                requests: 200,
                columns: ["input_tokens": tokens, "finish_reason": reasons]
            )
            try await storage.drift.saveWindow(window, replica: "rep_a")
        }
        let findings = [
            DriftTracker.Finding(feature: "input_tokens", test: .wasserstein, value: 3.4, threshold: 0.1, drifted: true, streak: 2),
            DriftTracker.Finding(feature: "finish_reason", test: .jensenshannon, value: 0.01, threshold: 0.1, drifted: false, streak: 0),
        ]
        try await storage.drift.saveJudgement(
            DriftJudgementRecord(
                route: "gpt-test",
                windowStart: hour.addingTimeInterval(3 * 3_600),
                state: .drifting,
                findings: findings,
                alerts: ["input_tokens"],
                judgedAt: hour
            )
        )
    }

    @Test func theRunningServiceJudgesTheLatestWindowAndMetricsShowIt() async throws {
        // Four stored hours ending with the last whole one the service judges (ended 30 s ago: two
        // ticks of its default 15 s); its first tick, as the gateway starts, judges the last against
        // the three before. Close to an hour's turn the test waits it out, so both read the same hour.
        let monitor = try DriftMonitor(json: [:])
        var due = Date().addingTimeInterval(-30)
        let turn = DriftRollup.windowStart(due, of: monitor).addingTimeInterval(3_600).timeIntervalSince(due)
        if turn < 10 {
            try await Task.sleep(for: .seconds(turn + 1))
            due = Date().addingTimeInterval(-30)
        }
        let lastHour = DriftRollup.windowStart(due, of: monitor).addingTimeInterval(-3_600)
        var gateway = TestGateway()
        gateway.chatRoute = "{ model: chat-model, drift: { features: [input_tokens], baseline: { trailing_windows: 3 }, persistence: 1 } }"
        let seed: (KeelStorage) async throws -> Void = { storage in
            for index in 0..<4 {
                let tokens: [JSONValue] = (0..<200).map { JSONValue((index == 3 ? 300 : 100) + $0 % 50) }
                let start = lastHour.addingTimeInterval(Double(index - 3) * 3_600)
                try await storage.drift.saveWindow(
                    DriftRollup.Window(route: "gpt-test", start: start, requests: 200, columns: ["input_tokens": tokens]),
                    replica: "rep_a"
                )
            }
        }
        try await gateway.test(seed: seed) { client in
            var metrics = ""
            for _ in 0..<50 where !metrics.contains("keel_drift_state{route=\"gpt-test\"} 1") {
                try await Task.sleep(for: .milliseconds(100))
                metrics = try await client.metrics()
            }
            #expect(metrics.contains("keel_drift_state{route=\"gpt-test\"} 1"), "\(metrics.split(separator: "\n").filter { $0.contains("drift") })")
            #expect(metrics.contains("keel_drift_score{route=\"gpt-test\",feature=\"input_tokens\""))
        }
    }

    @Test func driftIsReadByTheKeysThatReadMetrics() async throws {
        var gateway = TestGateway()
        gateway.chatRoute = "{ model: chat-model, drift: { features: [input_tokens, finish_reason], baseline: { trailing_windows: 3 } } }"
        try await gateway.test(seed: Self.seed) { client in
            let list = try await client.get("/api/drift", key: TestGateway.adminKey).json.objectValue?["data"]?.arrayValue
            #expect(list?.first?.objectValue?["state"] == "drifting" && list?.first?.objectValue?["alerts"] == ["input_tokens"])
            #expect(try await client.get("/api/drift", key: TestGateway.viewerKey).status == .forbidden)
            let report = try await client.get("/api/drift/gpt-test", key: TestGateway.adminKey).json.objectValue
            let tokens = try #require(report?["features"]?.arrayValue?.first?.objectValue)
            #expect(tokens["finding"]?.objectValue?["value"] == 3.4 && tokens["history"]?.arrayValue?.count == 1)
            let baseline = tokens["baseline"]?.arrayValue?.compactMap(\.doubleValue) ?? []
            let current = tokens["current"]?.arrayValue?.compactMap(\.doubleValue) ?? []
            #expect(!baseline.isEmpty && abs(baseline.reduce(0, +) - 1) < 1e-9 && abs(current.reduce(0, +) - 1) < 1e-9)
            #expect(try await client.get("/api/drift/embed-test", key: TestGateway.adminKey).status == .notFound)
            let page = try await client.get("/dashboard/drift", key: TestGateway.adminKey)
            let html = String(buffer: page.body)
            #expect(page.status == .ok && html.contains("gpt-test") && html.contains("drift, 2 window(s)") && html.contains("data-points"))
            #expect(try await client.get("/dashboard/drift", key: TestGateway.viewerKey).status == .seeOther)
            #expect(!String(buffer: try await client.get("/dashboard", key: TestGateway.viewerKey).body).contains("/dashboard/drift"))
        }
    }
}
