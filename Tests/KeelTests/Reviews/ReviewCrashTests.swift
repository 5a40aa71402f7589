import Foundation
import KeelCore
import NIOHTTP1
import Testing

/// A real `keel serve` killed with SIGKILL while requests are held for review, and restarted: every
/// held case is still there, and each decided one reaches its client exactly once — the one decided
/// before the kill on its waiting connection, the others through the callback after the restart.
@Suite struct ReviewCrashTests {
    @Test func heldCasesSurviveAKillAndEachDecidedOneIsReleasedExactlyOnce() async throws {
        let receiver = try await ScriptedHTTPServer { _ in .answer(status: .ok, body: "{}") }
        try await withTemporaryDirectory { directory in
            let port = randomPort()
            let config = "\(directory)/keel.yaml"
            try """
            storage: { path: \(directory)/keel.sqlite }
            replicas: { lease_seconds: 2 }
            log: { level: error }
            providers:
              sim: { type: simulated, latency: { p50_ms: 0, p99_ms: 0 }, tokens_per_second: 0, output_tokens: { min: 4, max: 4 } }
            models:
              m: { provider: sim, price: { input: 1.0, output: 2.0 } }
            routes:
              claims:
                model: m
                risk: { high: ['amount >= 1000'] }
                review: { wait_seconds: 3, callback_url: 'http://127.0.0.1:\(receiver.port)/decisions' }
            keys:
              admin: { role: admin, secret_env: KEEL_PROCESS_ADMIN }
            """.write(toFile: config, atomically: true, encoding: .utf8)
            let body = #"{"model":"claims","messages":[{"role":"user","content":"pay?"}],"metadata":{"amount":5000}}"#

            var server = try await KeelProcess.start(config: config, port: port)
            let clients = (0..<3).map { _ in Task { [server] in try? await server.call("POST", "/v1/chat/completions", body: body) } }
            var held: [String] = []
            for _ in 0..<200 where held.count < 3 {
                try await Task.sleep(for: .milliseconds(20))
                held = (try await server.call("GET", "/api/reviews?status=pending").json.objectValue?["data"]?.arrayValue ?? [])
                    .compactMap { $0.objectValue?["id"]?.stringValue }
            }
            #expect(held.count == 3)
            let first = try #require(held.first)
            #expect(try await server.call("POST", "/api/reviews/\(first)/decision", body: #"{"verdict":"approved"}"#).status == 200)
            try await Task.sleep(for: .milliseconds(500))
            server.kill()
            let answers = await clients.asyncMap { await $0.value }
            let released = answers.compactMap { $0 }.filter { $0.status == 200 }
            #expect(released.count == 1 && released.first?.headers["x-keel-review-id"] == [first], "only the decided case was answered")
            #expect(released.first?.headers["x-keel-decision"] == ["human-approved"])

            server = try await KeelProcess.start(config: config, port: port)
            defer { server.stop() }
            let pending = (try await server.call("GET", "/api/reviews?status=pending").json.objectValue?["data"]?.arrayValue ?? [])
                .compactMap { $0.objectValue?["id"]?.stringValue }
            #expect(Set(pending) == Set(held.dropFirst()), "every undecided case is still held")
            let approved = try await server.call("GET", "/api/reviews/\(first)").json.objectValue
            #expect(approved?["status"] == "approved" && approved?["delivered_at"]?.stringValue != nil)

            for (id, verdict) in zip(held.dropFirst(), [#"{"verdict":"approved"}"#, #"{"verdict":"rejected","reason":"fraud"}"#]) {
                #expect(try await server.call("POST", "/api/reviews/\(id)/decision", body: verdict).status == 200)
            }
            let deadline = ContinuousClock.now + .seconds(20)
            while receiver.requests.count < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(200)) }
            try await Task.sleep(for: .seconds(2))
            let callbacks = receiver.requests.compactMap { $0.head.headers["idempotency-key"].first }
            #expect(callbacks.sorted() == held.dropFirst().sorted(), "each case released once, the one decided before the kill not again")
        }
        try await receiver.stop()
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async -> T) async -> [T] {
        var results: [T] = []
        for element in self { results.append(await transform(element)) }
        return results
    }
}
