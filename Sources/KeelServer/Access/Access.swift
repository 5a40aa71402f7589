import KeelCore

/// What a route requires of its caller, declared once where the route is added (see ``KeelRoutes``).
public enum Access: Sendable, Hashable {
    /// Anyone: `/healthz`, the dashboard's sign-in form.
    case open
    /// A key whose role has the permission; without one, 401 or 403 in OpenAI's error shape.
    case requires(APIKey.Permission)
    /// A key whose role has any of the permissions (the handler then does what that one allows).
    case requiresAny([APIKey.Permission])
    /// A dashboard page: like ``requires(_:)``, but a browser without a session is sent to sign in.
    case page(APIKey.Permission)
    /// A model call: the permission is checked in the pipeline, so that every refusal is in the request log.
    case models

    /// The permissions of which the route requires one; none for an open route.
    public var permissions: [APIKey.Permission] {
        switch self {
        case .open: []
        case .requires(let permission), .page(let permission): [permission]
        case .requiresAny(let permissions): permissions
        case .models: [.callModels]
        }
    }

    /// Whether `key` may use the route.
    public func admits(_ key: APIKey) -> Bool {
        permissions.isEmpty || permissions.contains(where: key.allows)
    }
}
