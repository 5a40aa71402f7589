/// Which routes' data a purge or a count covers: one route's, or every other route's (those
/// without a period of their own for the class, and requests with no route).
public enum RetentionScope: Sendable, Hashable, CustomStringConvertible {
    case route(String)
    case others(excluding: [String])

    public var description: String {
        switch self {
        case .route(let name): name
        case .others(let excluded): excluded.isEmpty ? "every route" : "every other route"
        }
    }

    /// The route a scope is, when it is one.
    public var route: String? {
        if case .route(let name) = self { return name }
        return nil
    }
}
