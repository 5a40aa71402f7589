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
        abstract: "Run Keel on the example configuration (SQLite under ./.keel, simulated upstream) and tell its whole story.",
        discussion: """
            Fresh keys; sample traffic; a workflow carried across a restart of Keel; a prompt promotion refused by the gate; a \\
            sample of intake validated; risky cases held for review; a team's budget spent near its limit; a provider's outage \\
            rehearsed; a morning of tickets whose length drifts; and the triage route's readiness report pointing at each.
            """
    )

    @Option(help: "Port to listen on.") var port = 8080
    @Option(help: "Chat requests in the sample workload.") var requests = 12
    @Flag(help: "Stop after the story instead of serving on.") var exitAfterWorkload = false
    @Option(help: "Run on this PostgreSQL database (postgres://user:password@host:5432/database) instead of SQLite under ./.keel.")
    var databaseURL: String?

    /// The demo's keys: the application's, a viewer's and an admin's for the dashboard, a reviewer's,
    /// and the help desk's, whose team has a small daily budget.
    struct Keys {
        let app = APIKeySecret.generate()
        let viewer = APIKeySecret.generate()
        let admin = APIKeySecret.generate()
        let reviewer = APIKeySecret.generate()
        let helpDesk = APIKeySecret.generate()
    }

    func run() async throws {
        var configuration = try ExampleConfiguration.load()
        configuration.server.port = port
        configuration.log.level = .warning
        if let databaseURL { configuration.storage = .postgres(url: databaseURL, poolSize: StorageConfiguration.defaultPoolSize) }
        let keys = Keys()
        try await KeelStorage.with(configuration.storage) { storage in
            try await storage.keys.insert(keys.app.key(name: "demo", role: .app))
            try await storage.keys.insert(keys.viewer.key(name: "demo-viewer", role: .viewer))
            try await storage.keys.insert(keys.admin.key(name: "demo-admin", role: .admin))
            try await storage.keys.insert(keys.reviewer.key(name: "demo-reviewer", role: .reviewer))
            try await storage.keys.insert(keys.helpDesk.key(name: "help-desk", role: .app, team: "support"))
        }
        let baseURL = "http://\(configuration.server.host):\(port)/v1"
        let workload = SampleWorkload(baseURL: baseURL, key: keys.app.value, chats: requests)

        // First, sample traffic and a workflow's first two steps; then Keel stops, as a deployment restarts.
        let (traffic, workflow) = try await serve(configuration, stopAfter: true) { try await workload.run() }
        // The same storage, a new Keel: the workflow goes on where it was, and the rest of the story.
        let settled = configuration
        try await serve(configuration, stopAfter: exitAfterWorkload) {
            let resumed = try await workload.continueWorkflow(workflow)
            let story = try await KeelStorage.with(settled.storage) { storage in
                let evaluation = try await DemoEvaluation.run(configuration: settled, storage: storage)
                let intake = try await DemoIntake.run(configuration: settled, storage: storage)
                let held = try await workload.holdRiskyTickets()
                let budget = try await workload.spendBudget(key: keys.helpDesk.value)
                let rehearsal = try await DemoRehearsal.run(configuration: settled, storage: storage)
                let drift = try await DemoDrift.run(configuration: settled, storage: storage, key: keys.app.value)
                let readiness = try await Readiness(configuration: settled, storage: storage).report(route: "triage")
                return Story(
                    traffic: traffic,
                    workflow: resumed,
                    evaluation: evaluation,
                    intake: intake,
                    held: held,
                    budget: budget,
                    rehearsal: rehearsal,
                    drift: drift,
                    readiness: readiness
                )
            }
            // Written at once, not buffered: the banner must reach a pipe or file while Keel serves on.
            FileHandle.standardOutput.write(Data((Self.banner(baseURL: baseURL, keys: keys, storage: settled.storage, story: story) + "\n").utf8))
        }
    }

    /// Serves `configuration` while `body` runs; stops when it is done if `stopAfter`, else on Ctrl-C.
    private func serve<T: Sendable>(
        _ configuration: KeelConfiguration,
        stopAfter: Bool,
        _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let app = try await Gateway.buildApplication(configuration: configuration, logger: makeLogger(level: configuration.log.level))
        let services = ServiceGroup(
            configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: makeLogger(level: .warning))
        )
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await services.run()
                return nil
            }
            group.addTask {
                let value = try await body()
                if stopAfter { await services.triggerGracefulShutdown() }
                return value
            }
            var result: T?
            for try await value in group { result = value ?? result }
            guard let result else { throw ValidationError("Keel stopped before the demo's story was told.") }
            return result
        }
    }

    /// What each act of the story came to.
    struct Story: Sendable {
        var traffic: String
        var workflow: String
        var evaluation: String
        var intake: String
        var held: String
        var budget: String
        var rehearsal: String
        var drift: String
        var readiness: ReadinessReport
    }

    static func banner(baseURL: String, keys: Keys, storage: StorageConfiguration, story: Story) -> String {
        let root = baseURL.replacingOccurrences(of: "/v1", with: "")
        let place =
            switch storage {
            case .sqlite(let path): path
            case .postgres: "the PostgreSQL database of --database-url"
            }
        let readiness = story.readiness.text.split(separator: "\n", omittingEmptySubsequences: false).map { "    \($0)" }.joined(separator: "\n")
        return """

            Keel is running at \(baseURL)  (simulated upstream; request log in \(place))
            API key: \(keys.app.value)

            curl:
              curl \(baseURL)/chat/completions -H "Authorization: Bearer \(keys.app.value)" \\
                -H "Content-Type: application/json" \\
                -d '{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hello"}]}'

            Python (pip install openai):
              from openai import OpenAI
              client = OpenAI(base_url="\(baseURL)", api_key="\(keys.app.value)")
              reply = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hello"}])
              print(reply.choices[0].message.content)

            What the demo just did:
              1. Sample workload: \(story.traffic)
              2. A workflow across a restart: \(story.workflow)
              3. A prompt promotion through the gate: \(story.evaluation)
              4. Data readiness: \(story.intake)
              5. Risk and review: \(story.held)
              6. A budget near its limit: \(story.budget)
              7. A fault rehearsed: \(story.rehearsal)
              8. Drift: \(story.drift)
              9. Rollout readiness (`keel readiness triage`, and the dashboard's Readiness page):

            \(readiness)

            Dashboard: \(root)/dashboard  (sign in with this read-only viewer key: \(keys.viewer.value))
            Review queue: \(root)/dashboard/reviews with the reviewer key \(keys.reviewer.value); Readiness and Drift with the admin key.
            See it also with `swift run keel logs`; metrics at \(root)/metrics with the admin key \(keys.admin.value).
            Ctrl-C stops Keel.
            """
    }
}

/// The demo's traffic over HTTP: a short mix (plain, streamed, embeddings, a workflow, two
/// mistakes), the workflow's last step after a restart, risky tickets, and a help desk's tickets
/// until its team's budget is nearly spent.
struct SampleWorkload: Sendable {
    let baseURL: String
    let key: String
    let chats: Int

    /// The mix, and a workflow's first two steps; returns the summary and the workflow's id.
    func run() async throws -> (String, String) {
        try await withClient { client in
            try await waitUntilReady(client)
            var statuses: [UInt] = []
            for index in 0..<chats {
                let stream = index % 4 == 3
                let body =
                    #"{"model": "\#(index % 3 == 2 ? "gpt-4o" : "gpt-4o-mini")", "stream": \#(stream), "messages": [{"role": "user", "content": "Sample request \#(index + 1): summarise why gateways record every request."}]}"#
                statuses.append(try await post(client, "chat/completions", body).status)
            }
            statuses.append(try await post(client, "embeddings", #"{"model": "text-embedding-3-small", "input": ["keel", "gateway"]}"#).status)
            // A workflow: each step sends only its new message; Keel keeps the context.
            let workflow = RandomID.make(prefix: "demo-")
            for step in ["Plan a three-line release note for Keel.", "Now shorten it to one line."] {
                statuses.append(try await post(client, "chat/completions", Self.chat(step), headers: ["x-keel-workflow-id": workflow]).status)
            }
            statuses.append(try await post(client, "chat/completions", #"{"model": "gpt-4o-mini", "messages": "not a list"}"#).status)
            statuses.append(
                try await post(client, "chat/completions", #"{"model": "no-such-model", "messages": [{"role": "user", "content": "hi"}]}"#).status
            )
            let succeeded = statuses.filter { $0 == 200 }.count
            let counts = Dictionary(grouping: statuses, by: { $0 }).map { "\($0.value.count)× \($0.key)" }.sorted().joined(separator: ", ")
            return ("\(statuses.count) requests, \(succeeded) succeeded (\(counts)); the 400 and 404 are deliberate mistakes.", workflow)
        }
    }

    /// The workflow's third step, sent to the restarted Keel, then the workflow closed.
    func continueWorkflow(_ workflow: String) async throws -> String {
        try await withClient { client in
            try await waitUntilReady(client)
            let step = try await post(
                client,
                "chat/completions",
                Self.chat("Translate that line into French."),
                headers: ["x-keel-workflow-id": workflow]
            )
            let api = baseURL.replacingOccurrences(of: "/v1", with: "/api")
            let closed = try await post(client, "\(api)/workflows/\(workflow)/complete", "")
            return "\(workflow): two steps, Keel stopped and started again, then step \(step.headers.first(name: "x-keel-workflow-step") ?? "?") "
                + "(\(step.status)) with the context of the first two, and closed (\(closed.status)): `keel workflows show \(workflow)`."
        }
    }

    /// Three tickets whose answer is fraud: the triage route holds each for a person's decision.
    func holdRiskyTickets() async throws -> String {
        try await withClient { client in
            var reviews: [String] = []
            for ticket in [
                "My stolen card was used on your site twice last night.", "There is an unrecognised charge of 89 euros I never made.",
                "Someone used my stolen card for two yearly plans.",
            ] {
                let response = try await post(client, "chat/completions", Self.ticket(ticket))
                if response.status == 202, let review = response.headers.first(name: "x-keel-review-id") { reviews.append(review) }
            }
            return "\(reviews.count) of 3 tickets answered 'fraud' are held for review (202, `GET /v1/reviews/ID`), waiting for the reviewer: "
                + "`keel review list` or the dashboard's Reviews page."
        }
    }

    /// The help desk's draft replies until its team's daily budget refuses one.
    func spendBudget(key: String) async throws -> String {
        try await withClient { client in
            var remaining: String?
            var sent = 0
            var refused = 0
            while sent < 400, refused == 0 {
                try await withThrowingTaskGroup(of: ReplyHead.self) { group in
                    for number in 0..<8 {
                        let body = Self.chat("Draft a two-line reply to ticket \(sent + number) about a crashing billing tab.", maxTokens: 16)
                        group.addTask { try await post(client, "chat/completions", body, key: key) }
                    }
                    for try await reply in group {
                        if reply.status == 429 { refused += 1 }
                        if let left = reply.headers.first(name: "x-keel-budget-remaining"), Double(left) ?? 1 < Double(remaining ?? "1") ?? 1 {
                            remaining = left
                        }
                    }
                }
                sent += 8
            }
            return "the help desk (team support, $0.001 a day) sent \(sent) draft replies until its budget had $\(remaining ?? "?") left "
                + "and refused \(refused) with 429 budget_exceeded (`keel cost --by team`)."
        }
    }

    static func chat(_ text: String, maxTokens: Int? = nil) -> String {
        var body = JSONObject([("model", "gpt-4o-mini"), ("messages", [["role": "user", "content": .string(text)]])])
        body["max_tokens"] = maxTokens.map(JSONValue.init)
        return JSONValue.object(body).jsonString
    }

    static func ticket(_ text: String) -> String {
        JSONValue.object(JSONObject([("model", "triage"), ("variables", ["product": "Keel Cloud", "ticket": .string(text)])])).jsonString
    }

    /// A reply's status and headers.
    struct ReplyHead: Sendable {
        var status: UInt
        var headers: HTTPHeaders
    }

    private func withClient<T>(_ body: (HTTPClient) async throws -> T) async throws -> T {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
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
    private func post(
        _ client: HTTPClient,
        _ path: String,
        _ body: String,
        key: String? = nil,
        headers: [String: String] = [:]
    ) async throws -> ReplyHead {
        var request = HTTPClientRequest(url: path.hasPrefix("http") ? path : "\(baseURL)/\(path)")
        request.method = .POST
        request.headers.add(name: "authorization", value: "Bearer \(key ?? self.key)")
        request.headers.add(name: "content-type", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await client.execute(request, timeout: .seconds(30))
        _ = try await response.body.collect(upTo: 1 << 20)
        return ReplyHead(status: response.status.code, headers: response.headers)
    }
}
