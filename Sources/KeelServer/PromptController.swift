import Hummingbird
import KeelCore

/// The prompt registry under `/api/prompts`: readers list and read their team's prompts and the
/// shared ones; operators push versions into their team's namespace and move labels (an admin
/// works in the shared namespace, or another team's with `"team"` / `?team=`).
public struct PromptController: Sendable {
    let registry: PromptRegistry

    public init(registry: PromptRegistry) {
        self.registry = registry
    }

    public func addRoutes(to routes: KeelRoutes) {
        routes.get("/api/prompts", access: .requires(.read)) { _, context in
            let prompts = try await registry.store.prompts(in: try context.caller().scope)
            return .json(["object": "list", "data": .array(prompts.map(\.json))])
        }
        routes.post("/api/prompts", access: .requires(.operate)) { request, context in try await push(request, caller: try context.caller()) }
        routes.get("/api/prompts/{name}", access: .requires(.read)) { request, context in
            try await show(request, name: try context.parameters.require("name"), caller: try context.caller())
        }
        routes.get("/api/prompts/{name}/versions/{version}", access: .requires(.read)) { request, context in
            let prompt = try await find(request, name: try context.parameters.require("name"), caller: try context.caller())
            let selector = try PromptReference.selector(version: try context.parameters.require("version"), label: nil)
            return .json(try await registry.version(selector, of: prompt).json)
        }
        routes.post("/api/prompts/{name}/labels", access: .requires(.operate)) { request, context in
            try await label(request, name: try context.parameters.require("name"), caller: try context.caller())
        }
    }

    /// The namespace a caller works in: its team's; an admin's choice (`team`), else the shared one.
    private static func team(of caller: APIKey, asked: String?) throws -> String? {
        guard let asked, asked != caller.team else { return caller.team }
        guard caller.allows(.administer) else {
            throw KeelError(.insufficientRole, "Only an admin works in another team's prompts.", param: "team")
        }
        return asked
    }

    private func find(_ request: Request, name: String, caller: APIKey) async throws -> RegistryName {
        let team = try Self.team(of: caller, asked: request.uri.queryParameters["team"].map(String.init))
        return try await registry.find(name, team: team)
    }

    /// `POST /api/prompts` with a prompt file's JSON: 201 with the new version, or 200 with the
    /// version that already has this content.
    private func push(_ request: Request, caller: APIKey) async throws -> Response {
        var request = request
        let body = try await request.jsonBody(limit: 1 << 20)
        let team = try Self.team(of: caller, asked: body.objectValue?["team"]?.stringValue)
        var file = body.objectValue ?? JSONObject()
        file["team"] = nil
        let (version, created) = try await registry.push(.object(file), team: team, by: caller.name)
        var response = Response.json(version.json)
        if created { response.status = .created }
        return response
    }

    /// `GET /api/prompts/{name}`: every version's number, hash and size, the labels, and the history.
    private func show(_ request: Request, name: String, caller: APIKey) async throws -> Response {
        let prompt = try await find(request, name: name, caller: caller)
        let versions = try await registry.store.versions(of: prompt)
        let labels = try await registry.store.labels(of: prompt)
        let history = try await registry.store.history(of: prompt)
        return .json(
            .object(
                JSONObject([
                    ("object", "prompt"), ("name", .string(prompt.name)), ("team", JSONValue(prompt.team)),
                    ("labels", .object(JSONObject(labels.sorted { $0.key < $1.key }.map { ($0.key, .integer(Int64($0.value))) }))),
                    ("versions", .array(versions.map(\.json))), ("history", .array(history.map(\.json))),
                ])
            )
        )
    }

    /// `POST /api/prompts/{name}/labels` with `{"label", "version", "reason"}`: moves the label.
    private func label(_ request: Request, name: String, caller: APIKey) async throws -> Response {
        var request = request
        let body = try await request.jsonBody(limit: 16 << 10)
        guard let object = body.objectValue, let label = object["label"]?.stringValue else {
            throw KeelError(.missingField, "Give the 'label' to move and the 'version' it points at.", param: "label")
        }
        guard let version = object["version"]?.integerValue.map(Int.init) ?? object["version"]?.stringValue.flatMap({ Int($0) }) else {
            throw KeelError(.missingField, "Give the 'version' the label points at.", param: "version")
        }
        let prompt = try await find(request, name: name, caller: caller)
        let previous = try await registry.label(label, of: prompt, to: version, by: caller.name, reason: object["reason"]?.stringValue)
        return .json(
            .object(
                JSONObject([
                    ("name", .string(prompt.name)), ("label", .string(label)), ("version", .integer(Int64(version))),
                    ("previous", previous.map { .integer(Int64($0)) } ?? .null),
                ])
            )
        )
    }
}
