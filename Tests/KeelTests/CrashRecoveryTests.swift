import Foundation
import KeelCore
import Testing

/// A real `keel serve` process killed with SIGKILL in the middle of a workflow step, and restarted.
@Suite struct CrashRecoveryTests {
    func step(_ number: Int, key: String, on server: KeelProcess) async throws -> KeelProcess.Answer {
        try await server.chat("step \(number)", workflow: "wf-crash", idempotencyKey: key)
    }

    @Test func aKilledStepIsInterruptedAndItsRetryRunsOnceAndIsChargedOnce() async throws {
        try await withTemporaryDirectory { directory in
            let port = randomPort()
            let config = "\(directory)/keel.yaml"
            try """
            server: { port: \(port) }
            storage: { path: \(directory)/keel.sqlite }
            replicas: { lease_seconds: 2 }
            log: { level: error }
            providers:
              sim: { type: simulated, latency: { p50_ms: 1000, p99_ms: 1000 }, tokens_per_second: 0 }
            models:
              m: { provider: sim, price: { input: 1.0, output: 2.0 } }
            routes:
              chat: m
            keys:
              admin: { role: admin, secret_env: KEEL_PROCESS_ADMIN }
            """.write(toFile: config, atomically: true, encoding: .utf8)

            var server = try await KeelProcess.start(config: config, port: port)
            #expect(try await step(1, key: "s1", on: server).status == 200)
            #expect(try await step(2, key: "s2", on: server).status == 200)
            let killed = Task { [server] in try? await step(3, key: "s3", on: server) }
            try await Task.sleep(for: .milliseconds(400))
            server.kill()
            _ = await killed.value

            server = try await KeelProcess.start(config: config, port: port)
            defer { server.stop() }
            // The restart takes nothing back by itself: the killed replica's lease must expire first.
            #expect(try await server.stepStatuses("wf-crash") == ["completed", "completed", "running"])
            var recovered: [String] = []
            let deadline = ContinuousClock.now + .seconds(15)
            while recovered.last != "interrupted", ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
                recovered = try await server.stepStatuses("wf-crash")
            }
            #expect(recovered == ["completed", "completed", "interrupted"], "recovered once the lease expired")

            let retry = try await step(3, key: "s3", on: server)
            #expect(retry.status == 200 && !retry.replayed, "the interrupted step runs again")
            let repeated = try await step(3, key: "s3", on: server)
            #expect(repeated.replayed, "and only once")
            #expect(repeated.json.objectValue?["id"] == retry.json.objectValue?["id"])

            let workflow = try await server.call("GET", "/api/workflows/wf-crash").json
            #expect(try await server.stepStatuses("wf-crash") == ["completed", "completed", "interrupted", "completed"])
            let steps = workflow.objectValue?["steps"]?.arrayValue ?? []
            #expect(steps.last?.objectValue?["idempotency_key"]?.stringValue == "s3")

            // Charged once for each completed step: the killed call never settled, the replay costs nothing.
            try await Task.sleep(for: .milliseconds(300))  // the request log's writer batches
            let log = try await server.call("GET", "/api/requests?limit=100").json.objectValue?["data"]?.arrayValue ?? []
            let charged = log.filter { $0.objectValue?["workflow_id"]?.stringValue == "wf-crash" && $0.objectValue?["cost_usd"] != .null }
            #expect(charged.count == 3, "\(log)")
        }
    }
}
