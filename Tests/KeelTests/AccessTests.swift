import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KeelCore
import KeelServer
import NIOCore
import Synchronization
import Testing

/// Who may call what: every route Keel registers, called by every role, against the README's table;
/// and teams that never see each other's data.
@Suite struct AccessTests {
    /// A caller: no key, or a key of a role.
    enum Caller: Hashable, CaseIterable, CustomStringConvertible {
        case anyone
        case role(APIKey.Role)

        static var allCases: [Caller] { [.anyone] + APIKey.Role.allCases.map(Caller.role) }

        var description: String {
            switch self {
            case .anyone: "anyone"
            case .role(let role): role.rawValue
            }
        }
    }

    /// The README's table of routes: for each `METHOD /path`, the callers it admits.
    static func readmeTable() throws -> [String: Set<Caller>] {
        let readme = try String(contentsOf: URL(fileURLWithPath: #filePath).appending(path: "../../../README.md").standardized, encoding: .utf8)
        let lines = readme.split(separator: "\n").map(String.init)
        let header = try #require(lines.firstIndex { $0.hasPrefix("| route | anyone |") }, "the README's table of routes")
        let columns = lines[header].split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        let callers = try columns.dropFirst().prefix(Caller.allCases.count).map { name in
            try #require(Caller.allCases.first { $0.description == name }, "column \(name)")
        }
        var table: [String: Set<Caller>] = [:]
        for line in lines[(header + 2)...].prefix(while: { $0.hasPrefix("|") }) {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }
            let route = cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            table[route] = Set(zip(callers, cells.dropFirst()).filter { $0.1 == "✓" }.map(\.0))
        }
        return table
    }

    @Test func everyRouteAdmitsExactlyTheCallersOfTheREADMEsTable() async throws {
        let registered = Mutex<[KeelRoutes.Entry]>([])
        let table = try Self.readmeTable()
        let collect: @Sendable ([KeelRoutes.Entry]) -> Void = { entries in registered.withLock { $0 = entries } }
        try await TestGateway().test(routes: collect) { client in
            let entries = registered.withLock { $0 }
            #expect(Set(table.keys) == Set(entries.map(\.description)), "the README lists every route, and only those")
            var secrets: [Caller: String] = [:]
            for role in APIKey.Role.allCases { secrets[.role(role)] = try await client.createKey(role: role, team: "search") }

            for entry in entries {
                for caller in Caller.allCases {
                    let admitted: Bool
                    switch caller {
                    case .anyone: admitted = entry.access.permissions.isEmpty
                    case .role(let role): admitted = entry.access.admits(APIKeySecret.generate().key(name: "probe", role: role))
                    }
                    #expect(table[entry.description]?.contains(caller) == admitted, "the README on \(entry) for \(caller)")
                    // The open routes (sign-in, sign-out) check more than a key; their own tests cover them.
                    guard !entry.access.permissions.isEmpty else { continue }
                    let response = try await client.call(entry, key: secrets[caller])
                    let refusal: HTTPResponse.Status =
                        if case .page = entry.access { .seeOther } else { caller == .anyone ? .unauthorized : .forbidden }
                    if admitted, case .page = entry.access, entry.method == .post {
                        // A page's form is admitted by the key, then refused without its session's token.
                        let refusedForm = String(buffer: response.body).contains("only accepted from this dashboard's own pages")
                        #expect(response.status == .forbidden && refusedForm, "\(entry) for \(caller): \(response.status)")
                    } else if admitted {
                        #expect(![.unauthorized, .forbidden, .seeOther].contains(response.status), "\(entry) for \(caller): \(response.status)")
                    } else {
                        #expect(response.status == refusal, "\(entry) for \(caller): \(response.status)")
                    }
                }
            }
        }
    }

    @Test func aTeamSeesNothingOfAnotherTeamsData() async throws {
        let registered = Mutex<[KeelRoutes.Entry]>([])
        let collect: @Sendable ([KeelRoutes.Entry]) -> Void = { entries in registered.withLock { $0 = entries } }
        try await TestGateway().test(routes: collect) { client in
            // TestGateway's app and viewer keys are of team "search"; the others are of team "ads".
            let adsApp = try await client.createKey(role: .app, team: "ads")
            let readers = [
                try await client.createKey(role: .viewer, team: "ads"), try await client.createKey(role: .reviewer, team: "ads"),
                try await client.createKey(role: .operator, team: "ads"),
            ]
            let searchStep = try await client.chat(key: TestGateway.appKey, workflow: "wf-search-7")
            let adsStep = try await client.chat(key: adsApp, workflow: "wf-ads-7")
            for id in [searchStep, adsStep] { #expect(try await client.logRecord(id: id) != nil) }
            let keyIDs = try await client.get("/api/keys", key: TestGateway.adminKey).json.objectValue?["data"]?.arrayValue ?? []
            let searchKey = try #require(keyIDs.first { $0.objectValue?["name"] == "tests" }?.objectValue?["id"]?.stringValue)
            let searchMarkers = [searchStep, "wf-search-7", searchKey]

            let reads = registered.withLock { $0 }.filter { $0.method == .get && $0.access.permissions == [.read] }
            func uris(_ entry: KeelRoutes.Entry, request: String, workflow: String) -> [String] {
                let path = entry.path.replacingOccurrences(of: "{id}", with: entry.path.contains("workflows") ? workflow : request)
                return path.hasPrefix("/api/cost") && !path.contains("inflation")
                    ? ["key", "team", "route", "day"].map { "\(path)?by=\($0)" } : [path]
            }
            for entry in reads {
                for uri in uris(entry, request: searchStep, workflow: "wf-search-7") {
                    for reader in readers {
                        let response = try await client.get(uri, key: reader)
                        let body = String(buffer: response.body)
                        // A path's own id may be echoed ("No workflow 'wf-search-7'."); nothing else may show.
                        for marker in searchMarkers where !uri.contains(marker) {
                            #expect(!body.contains(marker), "\(uri) shows team ads \(marker) of team search")
                        }
                        if entry.path.contains("{id}") && uri.hasPrefix("/api") { #expect(response.status == .notFound, "\(uri)") }
                    }
                }
            }
            // The same reads show a team its own: the markers above could have been found.
            let own = try await client.get("/api/requests", key: TestGateway.viewerKey)
            #expect(String(buffer: own.body).contains(searchStep) && !String(buffer: own.body).contains(adsStep))
            #expect(String(buffer: try await client.get("/api/workflows/wf-search-7", key: TestGateway.viewerKey).body).contains("wf-search-7"))
            #expect(String(buffer: try await client.get("/dashboard/requests", key: readers[0]).body).contains(adsStep))
            let all = String(buffer: try await client.get("/api/requests", key: TestGateway.adminKey).body)
            #expect(all.contains(searchStep) && all.contains(adsStep), "an admin sees every team")

            // Nor can a team change another's: its workflow is not there to complete.
            for key in [adsApp, readers[2]] {
                #expect(try await client.post("/api/workflows/wf-search-7/complete", "", key: key).status == .notFound)
            }
            let workflow = try await client.get("/api/workflows/wf-search-7", key: TestGateway.viewerKey).json
            #expect(workflow.objectValue?["status"] == "open")
        }
    }

    @Test func aKeyIsCreatedOnlyWithANameAndTeamFitToShow() async throws {
        try await TestGateway().test { client in
            for body in [
                #"{"name":""}"#, #"{"name":"a\u0000b"}"#, #"{"name":"ok","team":"x\ny"}"#, "{\"name\":\"\(String(repeating: "n", count: 101))\"}",
            ] {
                let response = try await client.post("/api/keys", body, key: TestGateway.adminKey)
                #expect(response.status == .badRequest && response.json.objectValue?["error"]?.objectValue?["code"] == "invalid_value", "\(body)")
            }
        }
    }
}

extension TestClientProtocol {
    /// A new key of `role` in `team`, made with the admin key; its secret.
    func createKey(role: APIKey.Role, team: String?) async throws -> String {
        let body: JSONValue = ["name": .string("\(role.rawValue)-\(team ?? "none")"), "role": .string(role.rawValue), "team": JSONValue(team)]
        let response = try await post("/api/keys", body.jsonString, key: TestGateway.adminKey)
        return try #require(response.json.objectValue?["secret"]?.stringValue, "\(String(buffer: response.body))")
    }

    /// A chat request as a step of `workflow`; its request id.
    func chat(key: String, workflow: String) async throws -> String {
        let response = try await execute(
            uri: "/v1/chat/completions",
            method: .post,
            headers: [.authorization: "Bearer \(key)", .contentType: "application/json", HTTPField.Name("x-keel-workflow-id")!: workflow],
            body: ByteBuffer(string: goodChat)
        )
        #expect(response.status == .ok)
        return try #require(response.headers[HTTPField.Name("x-request-id")!])
    }

    /// Calls `entry` with `key`: its path's parameter names nothing that exists, and a POST has a body
    /// the route accepts.
    func call(_ entry: KeelRoutes.Entry, key: String?) async throws -> TestResponse {
        let uri = entry.path.replacingOccurrences(of: "{id}", with: "nothing-here")
        guard entry.method == .post else {
            var headers: HTTPFields = [:]
            if let key { headers[.authorization] = "Bearer \(key)" }
            return try await execute(uri: uri, method: entry.method, headers: headers)
        }
        let body =
            switch entry.path {
            case "/v1/chat/completions": goodChat
            case "/v1/embeddings": #"{"model":"embed-test","input":"x"}"#
            case "/v1/responses": #"{"model":"gpt-test","input":"x"}"#
            case "/v1/messages", "/v1/messages/count_tokens": #"{"model":"gpt-test","max_tokens":5,"messages":[{"role":"user","content":"x"}]}"#
            case "/api/keys": #"{"name":"walked","role":"viewer","team":"search"}"#
            default: ""
            }
        return try await post(uri, body, key: key)
    }
}
