import HTTPTypes
import Hummingbird
import KeelCore

/// Every route Keel serves, each added with the ``Access`` it requires: the one way routes reach
/// the router, so that the list is complete and each route's requirement is enforced where it is
/// declared. Used only while the application is assembled.
public final class KeelRoutes {
    /// One registered route.
    public struct Entry: Sendable, Hashable, CustomStringConvertible {
        public var method: HTTPRequest.Method
        /// The path as registered, parameters in braces: `/api/workflows/{id}`.
        public var path: String
        public var access: Access

        public var description: String { "\(method) \(path)" }
    }

    public typealias Handler = @Sendable (Request, KeelRequestContext) async throws -> Response

    let router: Router<KeelRequestContext>
    public private(set) var entries: [Entry] = []

    public init(router: Router<KeelRequestContext>) { self.router = router }

    /// Adds `handler` for `method` on `path`, behind `access`.
    public func add(_ method: HTTPRequest.Method, _ path: String, access: Access, handler: @escaping Handler) {
        entries.append(Entry(method: method, path: path, access: access))
        router.on(RouterPath(path), method: method) { request, context in
            switch access {
            case .open, .models:
                return try await handler(request, context)
            case .requires, .requiresAny:
                try Self.check(context.identity, access)
                return try await handler(request, context)
            case .page:
                do {
                    try Self.check(context.identity, access)
                } catch {
                    return Response.redirect(to: "/dashboard/login", type: .normal)
                }
                return try await handler(request, context)
            }
        }
    }

    public func get(_ path: String, access: Access, handler: @escaping Handler) { add(.get, path, access: access, handler: handler) }
    public func post(_ path: String, access: Access, handler: @escaping Handler) { add(.post, path, access: access, handler: handler) }

    /// Refuses an identity that is not a key `access` admits.
    static func check(_ identity: Identity, _ access: Access) throws {
        switch identity {
        case .anonymous:
            throw KeelError(.missingAPIKey, "You didn't provide an API key. Provide it in the Authorization header as 'Bearer YOUR_KEY'.")
        case .refused(let error):
            throw error
        case .key(let key, _):
            guard !access.admits(key), let first = access.permissions.first else { return }
            try KeyAuthenticator.require(first, of: key)
        }
    }
}

extension KeelRequestContext {
    /// The caller, which the route's ``Access`` has already admitted.
    public func caller() throws -> APIKey {
        guard let key = identity.key else { throw KeelError(.internalError, "A route that requires a key ran without one.") }
        return key
    }
}
