import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KeelApp
import KeelCore
import KeelServer
import KeelStore
import Testing

/// A configuration for tests: storage in a fresh folder, one provider, and an app and an admin key
/// provisioned through the configuration's `keys` section.
struct TestGateway {
    static let appKey = "sk-keel-test-app-key-0123456789abcdef"
    static let adminKey = "sk-keel-test-admin-key-0123456789abcdef"
    static let viewerKey = "sk-keel-test-viewer-key-0123456789abcdef"
    /// A reviewer of team `search` (the app key's), and one of another team.
    static let reviewerKey = "sk-keel-test-reviewer-key-0123456789abcdef"
    static let outsiderKey = "sk-keel-test-outsider-key-0123456789abcdef"

    var providerYAML = """
          sim:
            type: simulated
            latency: { p50_ms: 0, p99_ms: 0 }
            tokens_per_second: 0
            output_tokens: { min: 8, max: 8 }
        """
    /// The provider serving the embeddings route.
    var embeddingProvider = "sim"
    var chatRoute = "chat-model"
    var maximumBodySize = 4096
    /// More `server` settings (`max_connections: 4`, …).
    var serverYAML = ""
    var bodies = "none"
    /// `log.max_body_bytes`, when not the default.
    var bodyLimit: Int?
    /// More settings of the chat model (`context_window: 8000`, …).
    var chatModelYAML = ""
    /// More top-level sections (budgets, rate limits, …).
    var extraYAML = ""
    /// More models and routes, each a line of its section (`  other: { provider: sim }`).
    var extraModels = ""
    var extraRoutes = ""

    /// A gateway whose chat route calls the OpenAI-compatible server on `port` once a request,
    /// with more of the provider's `settings` (one a line).
    static func upstream(port: Int, settings: [String] = ["timeout_seconds: 5"], route: String = "max_attempts: 1") -> TestGateway {
        var gateway = TestGateway()
        gateway.providerYAML = (["  sim:", "    type: openai", "    base_url: http://127.0.0.1:\(port)/v1"] + settings.map { "    " + $0 })
            .joined(separator: "\n")
        gateway.chatRoute = "{ model: chat-model, \(route) }"
        return gateway
    }

    func yaml(storage: String) -> String {
        """
        server: { max_body_bytes: \(maximumBodySize)\(serverYAML.isEmpty ? "" : ", \(serverYAML)") }
        storage: \(storage)
        log: { bodies: \(bodies), level: error\(bodyLimit.map { ", max_body_bytes: \($0)" } ?? "") }
        providers:
        \(providerYAML)
        models:
          chat-model: { provider: sim, upstream_model: upstream-chat, price: { input: 1.0, output: 2.0 }\(chatModelYAML.isEmpty ? "" : ", \(chatModelYAML)") }
          embed-model: { provider: \(embeddingProvider), kind: embedding, price: { input: 0.5 } }
        \(extraModels)
        routes:
          gpt-test: \(chatRoute)
          embed-test: embed-model
        \(extraRoutes)
        keys:
          tests: { role: app, secret_env: KEEL_TEST_APP_KEY, team: search }
          admin: { role: admin, secret_env: KEEL_TEST_ADMIN_KEY }
          viewer: { role: viewer, secret_env: KEEL_TEST_VIEWER_KEY, team: search }
          reviewer: { role: reviewer, secret_env: KEEL_TEST_REVIEWER_KEY, team: search }
          outsider: { role: reviewer, secret_env: KEEL_TEST_OUTSIDER_KEY, team: maps }
        \(extraYAML)
        """
    }

    /// Runs `body` against a gateway built by the same function the binary uses, on fresh storage
    /// of the backend the suite runs on (``TestBackend/gateway``).
    /// `seed` fills the storage before the gateway opens it.
    func test<T>(
        _ setup: TestingSetup = .router,
        routes: @Sendable @escaping ([KeelRoutes.Entry]) -> Void = { _ in },
        seed: (KeelStorage) async throws -> Void = { _ in },
        _ body: @Sendable @escaping (any TestClientProtocol) async throws -> T
    ) async throws -> T {
        try await TestBackend.gateway.withConfiguration { storage in
            var environment = [
                "KEEL_TEST_APP_KEY": Self.appKey, "KEEL_TEST_ADMIN_KEY": Self.adminKey, "KEEL_TEST_VIEWER_KEY": Self.viewerKey,
                "KEEL_TEST_REVIEWER_KEY": Self.reviewerKey, "KEEL_TEST_OUTSIDER_KEY": Self.outsiderKey,
                "UPSTREAM_KEY": LiveProviderTests.upstreamSecret,
            ]
            let storageYAML: String
            switch storage {
            case .sqlite(let path): storageYAML = "{ path: \(path) }"
            case .postgres(let url, _):
                storageYAML = "{ driver: postgres, url_env: KEEL_TEST_DATABASE_URL, pool_size: 8 }"
                environment["KEEL_TEST_DATABASE_URL"] = url
            }
            let (configuration, problems) = KeelConfiguration.check(yaml: yaml(storage: storageYAML), environment: environment)
            #expect(problems.isEmpty, "\(problems)")
            try await KeelStorage.with(storage, logger: TestBackend.quiet, seed)
            let app = try await Gateway.buildApplication(configuration: try #require(configuration), logger: TestBackend.quiet, routes: routes)
            return try await app.test(setup, body)
        }
    }
}

extension TestClientProtocol {
    /// POSTs JSON text to `uri` with `key` as the bearer token.
    func post(_ uri: String, _ json: String, key: String? = TestGateway.appKey) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let key { headers[.authorization] = "Bearer \(key)" }
        return try await execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: json))
    }

    /// `/metrics`, with the admin key it requires.
    func metrics() async throws -> String {
        String(buffer: try await get("/metrics", key: TestGateway.adminKey).body)
    }

    func get(_ uri: String, key: String? = TestGateway.appKey) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let key { headers[.authorization] = "Bearer \(key)" }
        return try await execute(uri: uri, method: .get, headers: headers)
    }

    /// The newest `count` rows of the request log, newest first, waiting up to `patience` for the writer to store them.
    func requestLog(count: Int, patience: Duration = .seconds(5)) async throws -> [JSONObject] {
        let deadline = ContinuousClock.now + patience
        var rows: [JSONObject] = []
        while ContinuousClock.now < deadline {
            rows = (try await get("/api/requests", key: TestGateway.adminKey).json.objectValue?["data"]?.arrayValue ?? []).compactMap(\.objectValue)
            if rows.count >= count { return Array(rows.prefix(count)) }
            try await Task.sleep(for: .milliseconds(20))
        }
        return rows
    }

    /// The request log's row for `id`, waiting up to `patience` for the writer to store it.
    func logRecord(id: String, patience: Duration = .seconds(5)) async throws -> JSONObject? {
        let deadline = ContinuousClock.now + patience
        while ContinuousClock.now < deadline {
            let rows = try await get("/api/requests", key: TestGateway.adminKey).json.objectValue?["data"]?.arrayValue ?? []
            if let row = rows.first(where: { $0.objectValue?["id"]?.stringValue == id })?.objectValue { return row }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }
}

extension TestResponse {
    var json: JSONValue { (try? JSONParser.parse(body.readableBytesView)) ?? .null }

    /// The `data:` payloads of a server-sent event body (named events' too).
    var events: [String] {
        String(buffer: body).components(separatedBy: "\n\n").compactMap { event in
            event.split(separator: "\n").first { $0.hasPrefix("data: ") }.map { String($0.dropFirst(6)) }
        }
    }

    /// The names of a server-sent event body's named events (`event: response.created`), in order.
    var eventNames: [String] {
        String(buffer: body).components(separatedBy: "\n\n").compactMap { event in
            event.split(separator: "\n").first { $0.hasPrefix("event: ") }.map { String($0.dropFirst(7)) }
        }
    }
}

let goodChat = #"{"model":"gpt-test","messages":[{"role":"user","content":"hello"}]}"#
