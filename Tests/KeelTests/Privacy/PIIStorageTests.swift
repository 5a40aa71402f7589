import Foundation
import KeelCore
import NIOHTTP1
import Testing

/// The PII corpus (1,000 messages, 1,134 values) through a real `keel serve` on a `redact-log`
/// route, every way Keel stores content: plain and streamed answers, idempotent repeats, workflow
/// steps, metadata, held reviews (decided and not), quarantined records, traces exported with
/// content, and the server's own log at debug level. Then a byte search of the database files,
/// the log and the exported traces finds none of the values — which the upstream did receive.
@Suite struct PIIStorageTests {
    struct Message {
        var id: String
        var text: String
        var values: [String]
    }

    static func corpus() throws -> [Message] {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/pii/corpus", withExtension: "jsonl"))
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { line in
            let object = try #require(try JSONParser.parse(String(line)).objectValue)
            let text = try #require(object["text"]?.stringValue)
            let scalars = Array(text.unicodeScalars)
            let values = (object["spans"]?.arrayValue ?? []).compactMap { span -> String? in
                guard let start = span.objectValue?["start"]?.integerValue, let end = span.objectValue?["end"]?.integerValue else { return nil }
                return String(String.UnicodeScalarView(scalars[Int(start)..<Int(end)]))
            }
            return Message(id: object["id"]?.stringValue ?? "", text: text, values: values)
        }
    }

    @Test func noCorpusValueIsStoredLoggedOrTraced() async throws {
        let messages = try Self.corpus()
        let values = Set(messages.flatMap(\.values))
        #expect(values.count > 900, "the corpus has its values")
        let upstream = try await PIIStageTests.upstream()
        let traces = try await ScriptedHTTPServer { _ in .answer(status: .ok, body: "{}") }
        try await withTemporaryDirectory { directory in
            let port = randomPort()
            let config = "\(directory)/keel.yaml"
            try """
            storage: { path: \(directory)/keel.sqlite }
            log: { level: debug, bodies: full }
            tracing: { endpoint: "http://127.0.0.1:\(traces.port)", protocol: http/json, batch_delay_ms: 50, content: true }
            providers:
              up: { type: openai, base_url: "http://127.0.0.1:\(upstream.port)/v1" }
            models:
              m: { provider: up, price: { input: 1.0, output: 2.0 } }
            routes:
              private:
                model: m
                pii: { actions: { default: redact-log } }
                contract: { input: metadata, quarantine: true, schema: { type: object, required: [ticket] } }
                risk: { high: ['amount >= 1000'] }
                review: { wait_seconds: 0 }
            keys:
              admin: { role: admin, secret_env: KEEL_PROCESS_ADMIN }
            """.write(toFile: config, atomically: true, encoding: .utf8)
            let logFile = "\(directory)/keel.log"
            let server = try await KeelProcess.start(config: config, port: port, output: logFile)

            // Eight clients at a time; each message goes one of the ways Keel stores content.
            let statuses = try await withThrowingTaskGroup(of: [Int].self) { group in
                for lane in 0..<8 {
                    group.addTask {
                        var statuses: [Int] = []
                        for (index, message) in messages.enumerated() where index % 8 == lane {
                            statuses += try await Self.send(message, index: index, to: server)
                        }
                        return statuses
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(statuses.filter { $0 == 200 }.count > 800 && statuses.contains(202) && statuses.contains(422), "\(Set(statuses))")
            // Some held cases decided (approved, edited), the rest left pending.
            let pending = (try await server.call("GET", "/api/reviews?status=pending&limit=100").json.objectValue?["data"]?.arrayValue ?? [])
                .compactMap { $0.objectValue?["id"]?.stringValue }
            #expect(pending.count >= 10)
            for id in pending.prefix(5) {
                #expect(try await server.call("POST", "/api/reviews/\(id)/decision", body: #"{"verdict":"approved"}"#).status == 200)
            }
            let sent = upstream.requests.map(\.body).joined()
            #expect(
                values.filter { sent.contains($0) }.count > values.count * 9 / 10,
                "the upstream saw the values: redact-log keeps them out of storage only"
            )
            try await Task.sleep(for: .milliseconds(500))
            server.stop()

            let stored = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("keel.sqlite") }
            #expect(stored.contains("keel.sqlite"))
            var haystacks: [(String, Data)] = try stored.map { ($0, try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\($0)"))) }
            haystacks.append(("the log", try Data(contentsOf: URL(fileURLWithPath: logFile))))
            haystacks.append(("the traces", Data(traces.requests.map(\.body).joined().utf8)))
            #expect(Set(haystacks.filter { !$0.1.isEmpty }.map(\.0)).isSuperset(of: ["keel.sqlite", "the log", "the traces"]))
            for (name, bytes) in haystacks {
                let found = values.filter { bytes.range(of: Data($0.utf8)) != nil }
                #expect(found.isEmpty, "\(name) holds \(found.count) values, e.g. \(found.sorted().prefix(3))")
            }
        }
        try await traces.stop()
        try await upstream.stop()
    }

    /// Sends `message` one of six ways, by its index; returns the statuses Keel answered.
    static func send(_ message: Message, index: Int, to server: KeelProcess) async throws -> [Int] {
        var body = JSONObject([("model", "private"), ("messages", [["role": "user", "content": .string(message.text)]])])
        var metadata = JSONObject([("ticket", .string("T\(index)"))])
        var headers: [String: String] = [:]
        switch index % 6 {
        case 1: body["stream"] = true
        case 2: headers["idempotency-key"] = "k-\(message.id)"
        case 3: headers["x-keel-workflow-id"] = "w-\(index % 5)"
        case 4: metadata["note"] = .string(message.text)
        case 5 where index % 4 == 1: metadata["amount"] = 5000
        case 5 where index % 4 == 3: metadata = JSONObject([("note", .string(message.text))])
        default: break
        }
        body["metadata"] = .object(metadata)
        let text = JSONValue.object(body).jsonString
        var statuses = [try await server.call("POST", "/v1/chat/completions", body: text, headers: headers).status]
        if headers["idempotency-key"] != nil {
            statuses.append(try await server.call("POST", "/v1/chat/completions", body: text, headers: headers).status)
        }
        return statuses
    }
}
