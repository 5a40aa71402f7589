import ArgumentParser
import AsyncHTTPClient
import Foundation
import Hummingbird
import KeelApp
import KeelCore
import KeelStore
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import UnixSignals

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run Keel on the example configuration (SQLite under ./.keel, simulated upstream) with a fresh key and sample traffic."
    )

    @Option(help: "Port to listen on.") var port = 8080
    @Option(help: "Chat requests in the sample workload.") var requests = 12
    @Flag(help: "Stop after the sample workload instead of serving on.") var exitAfterWorkload = false
    @Option(help: "Run on this PostgreSQL database (postgres://user:password@host:5432/database) instead of SQLite under ./.keel.")
    var databaseURL: String?

    func run() async throws {
        var configuration = try ExampleConfiguration.load()
        configuration.server.port = port
        configuration.log.level = .warning
        if let databaseURL { configuration.storage = .postgres(url: databaseURL, poolSize: StorageConfiguration.defaultPoolSize) }
        let (secret, viewer, admin) = (APIKeySecret.generate(), APIKeySecret.generate(), APIKeySecret.generate())
        try await KeelStorage.with(configuration.storage) { storage in
            try await storage.keys.insert(secret.key(name: "demo", role: .app))
            try await storage.keys.insert(viewer.key(name: "demo-viewer", role: .viewer))
            try await storage.keys.insert(admin.key(name: "demo-admin", role: .admin))
        }
        let app = try await Gateway.buildApplication(configuration: configuration, logger: makeLogger(level: configuration.log.level))
        let baseURL = "http://\(configuration.server.host):\(port)/v1"
        let (chats, exitAfterWorkload, settled) = (requests, exitAfterWorkload, configuration)
        let storagePath: String
        switch configuration.storage {
        case .sqlite(let path): storagePath = path
        case .postgres: storagePath = "the PostgreSQL database of --database-url"
        }

        let services = ServiceGroup(
            configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: makeLogger(level: .warning))
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            group.addTask {
                let summary = try await SampleWorkload(baseURL: baseURL, key: secret.value, chats: chats).run()
                let evaluation = try await KeelStorage.with(settled.storage) { storage in
                    try await DemoEvaluation.run(configuration: settled, storage: storage)
                }
                let banner = Self.banner(
                    baseURL: baseURL,
                    key: secret.value,
                    viewerKey: viewer.value,
                    adminKey: admin.value,
                    storage: storagePath,
                    summary: summary,
                    evaluation: evaluation
                )
                // Written at once, not buffered: the banner must reach a pipe or file while Keel serves on.
                FileHandle.standardOutput.write(Data((banner + "\n").utf8))
                if exitAfterWorkload { await services.triggerGracefulShutdown() }
            }
            try await group.waitForAll()
        }
    }

    static func banner(
        baseURL: String,
        key: String,
        viewerKey: String,
        adminKey: String,
        storage: String,
        summary: String,
        evaluation: String
    ) -> String {
        let root = baseURL.replacingOccurrences(of: "/v1", with: "")
        return """

            Keel is running at \(baseURL)  (simulated upstream; request log in \(storage))
            API key: \(key)

            curl:
              curl \(baseURL)/chat/completions -H "Authorization: Bearer \(key)" \\
                -H "Content-Type: application/json" \\
                -d '{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hello"}]}'

            Python (pip install openai):
              from openai import OpenAI
              client = OpenAI(base_url="\(baseURL)", api_key="\(key)")
              reply = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hello"}])
              print(reply.choices[0].message.content)

            Sample workload: \(summary)
            Evaluation of the triage prompt through its route's gate: \(evaluation)
            Dashboard: \(root)/dashboard  (sign in with this read-only viewer key: \(viewerKey))
            See it also with `swift run keel logs`; metrics at \(root)/metrics with the admin key \(adminKey).
            Ctrl-C stops Keel.
            """
    }
}

/// A short mix of traffic (plain, streamed, embeddings, a three-step workflow, and two mistakes) so
/// that the log has rows.
struct SampleWorkload {
    let baseURL: String
    let key: String
    let chats: Int

    func run() async throws -> String {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { _ = client.shutdown() }
        try await waitUntilReady(client)
        var statuses: [UInt] = []
        for index in 0..<chats {
            let stream = index % 4 == 3
            let body =
                #"{"model": "\#(index % 3 == 2 ? "gpt-4o" : "gpt-4o-mini")", "stream": \#(stream), "messages": [{"role": "user", "content": "Sample request \#(index + 1): summarise why gateways record every request."}]}"#
            statuses.append(try await post(client, "chat/completions", body))
        }
        statuses.append(try await post(client, "embeddings", #"{"model": "text-embedding-3-small", "input": ["keel", "gateway"]}"#))
        // A workflow: each step sends only its new message; Keel keeps the context. Then it is closed.
        let workflow = RandomID.make(prefix: "demo-")
        for step in ["Plan a three-line release note for Keel.", "Now shorten it to one line.", "Translate that line into French."] {
            let body = #"{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "\#(step)"}]}"#
            statuses.append(try await post(client, "chat/completions", body, headers: ["x-keel-workflow-id": workflow]))
        }
        let api = baseURL.replacingOccurrences(of: "/v1", with: "/api")
        statuses.append(try await post(client, "\(api)/workflows/\(workflow)/complete", ""))
        statuses.append(try await post(client, "chat/completions", #"{"model": "gpt-4o-mini", "messages": "not a list"}"#))
        statuses.append(try await post(client, "chat/completions", #"{"model": "no-such-model", "messages": [{"role": "user", "content": "hi"}]}"#))
        let succeeded = statuses.filter { $0 == 200 }.count
        let counts = Dictionary(grouping: statuses, by: { $0 }).map { "\($0.value.count)× \($0.key)" }.sorted().joined(separator: ", ")
        return "\(statuses.count) requests, \(succeeded) succeeded (\(counts)); the 400 and 404 are deliberate mistakes. Workflow \(workflow): "
            + "3 steps, completed (`keel workflows show \(workflow)`)."
    }

    private func waitUntilReady(_ client: HTTPClient) async throws {
        let health = baseURL.replacingOccurrences(of: "/v1", with: "/healthz")
        for _ in 0..<100 {
            if let response = try? await client.execute(HTTPClientRequest(url: health), timeout: .seconds(1)), response.status == .ok { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ValidationError("Keel did not start listening on \(baseURL)")
    }

    /// POSTs `body` to `path` under the base URL (or to `path` itself when it is a whole URL).
    private func post(_ client: HTTPClient, _ path: String, _ body: String, headers: [String: String] = [:]) async throws -> UInt {
        var request = HTTPClientRequest(url: path.hasPrefix("http") ? path : "\(baseURL)/\(path)")
        request.method = .POST
        request.headers.add(name: "authorization", value: "Bearer \(key)")
        request.headers.add(name: "content-type", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await client.execute(request, timeout: .seconds(30))
        _ = try await response.body.collect(upTo: 1 << 20)
        return response.status.code
    }
}
