import Hummingbird
import KeelCore

/// The Responses API's stored responses: `GET /v1/responses/{id}` gives one again and `DELETE`
/// removes it, for the key that made it only (another key's ids answer 404, as unknown ones do).
public struct ResponsesController: Sendable {
    let store: any ResponseStore

    public init(store: any ResponseStore) { self.store = store }

    public func addRoutes(to routes: KeelRoutes) {
        routes.get("/v1/responses/{id}", access: .requires(.callModels)) { _, context in
            let id = try context.parameters.require("id")
            guard let saved = try await store.response(id, keyID: try context.caller().id) else { throw Self.notFound(id) }
            return .json(.object(saved.object))
        }
        routes.add(.delete, "/v1/responses/{id}", access: .requires(.callModels)) { _, context in
            let id = try context.parameters.require("id")
            guard try await store.delete(id, keyID: try context.caller().id) else { throw Self.notFound(id) }
            return .json(["id": .string(id), "object": "response.deleted", "deleted": true])
        }
    }

    private static func notFound(_ id: String) -> KeelError {
        KeelError(.notFound, "Response with id '\(id)' not found.", param: "response_id")
    }
}
