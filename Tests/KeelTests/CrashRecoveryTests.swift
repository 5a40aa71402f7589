import AsyncHTTPClient
import Foundation
import KeelCore
import NIOCore
import NIOHTTP1
import Testing

/// A real `keel serve` process killed with SIGKILL in the middle of a workflow step, and restarted.
@Suite struct CrashRecoveryTests {
    static let secret = "sk-keel-crash-test-0123456789abcdef"

    /// The `keel` executable built beside the test bundle.
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("keel")
    }

    struct Server {
        let process: Process
        let base: String

        static func start(config: String, port: Int) async throws -> Server {
            let process = Process()
            process.executableURL = CrashRecoveryTests.executable
            process.arguments = ["serve", "--config", config]
            process.environment = ProcessInfo.processInfo.environment.merging(["KEEL_CRASH_KEY": CrashRecoveryTests.secret]) { $1 }
            try process.run()
            let server = Server(process: process, base: "http://127.0.0.1:\(port)")
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                if (try? await server.call("GET", "/healthz"))?.status == 200 { return server }
                try await Task.sleep(for: .milliseconds(100))
            }
            process.terminate()
            throw KeelError(.internalError, "keel serve did not start")
        }

        func call(
            _ method: String,
            _ path: String,
            body: String? = nil,
            headers: [String: String] = [:]
        ) async throws -> (
            status: Int, headers: HTTPHeaders, json: JSONValue
        ) {
            var request = HTTPClientRequest(url: base + path)
            request.method = HTTPMethod(rawValue: method)
            request.headers.add(name: "authorization", value: "Bearer \(CrashRecoveryTests.secret)")
            request.headers.add(name: "content-type", value: "application/json")
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if let body { request.body = .bytes(ByteBuffer(string: body)) }
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            let bytes = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), response.headers, (try? JSONParser.parse(bytes.readableBytesView)) ?? .null)
        }

        func step(_ number: Int, key: String) async throws -> (status: Int, headers: HTTPHeaders, json: JSONValue) {
            try await call(
                "POST",
                "/v1/chat/completions",
                body: #"{"model":"chat","messages":[{"role":"user","content":"step \#(number)"}]}"#,
                headers: ["x-keel-workflow-id": "wf-crash", "idempotency-key": key]
            )
        }
    }

    @Test func aKilledStepIsInterruptedAndItsRetryRunsOnceAndIsChargedOnce() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable.path), "build the keel executable first (swift build)")
        try await withTemporaryDirectory { directory in
            let port = Int.random(in: 20_000..<40_000)
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
              admin: { role: admin, secret_env: KEEL_CRASH_KEY }
            """.write(toFile: config, atomically: true, encoding: .utf8)

            var server = try await Server.start(config: config, port: port)
            #expect(try await server.step(1, key: "s1").status == 200)
            #expect(try await server.step(2, key: "s2").status == 200)
            let killed = Task { [server] in try? await server.step(3, key: "s3") }
            try await Task.sleep(for: .milliseconds(400))
            kill(server.process.processIdentifier, SIGKILL)
            server.process.waitUntilExit()
            _ = await killed.value

            server = try await Server.start(config: config, port: port)
            defer { server.process.terminate() }
            let statuses = { (json: JSONValue) in
                json.objectValue?["steps"]?.arrayValue?.map { $0.objectValue?["status"]?.stringValue ?? "?" } ?? []
            }
            // The restart takes nothing back by itself: the killed replica's lease must expire first.
            #expect(statuses(try await server.call("GET", "/api/workflows/wf-crash").json) == ["completed", "completed", "running"])
            var recovered: [String] = []
            let deadline = ContinuousClock.now + .seconds(15)
            while recovered.last != "interrupted", ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
                recovered = statuses(try await server.call("GET", "/api/workflows/wf-crash").json)
            }
            #expect(recovered == ["completed", "completed", "interrupted"], "recovered once the lease expired")

            let retry = try await server.step(3, key: "s3")
            #expect(retry.status == 200 && retry.headers["idempotent-replayed"].isEmpty, "the interrupted step runs again")
            let repeated = try await server.step(3, key: "s3")
            #expect(repeated.headers["idempotent-replayed"] == ["true"], "and only once")
            #expect(repeated.json.objectValue?["id"] == retry.json.objectValue?["id"])

            let workflow = try await server.call("GET", "/api/workflows/wf-crash").json
            #expect(statuses(workflow) == ["completed", "completed", "interrupted", "completed"])
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
