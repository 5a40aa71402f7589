/// An answer that did not come from a model: what served it and which failure made Keel serve it.
/// Clients see it in the `x-keel-degraded` header; the request log and `/metrics` count it.
public struct Degradation: Sendable, Equatable {
    public enum Mode: String, Sendable, Hashable {
        /// The cached answer to an identical earlier request.
        case cache
        /// The route's configured static answer.
        case `static`
    }

    public var mode: Mode
    public var cause: KeelError

    public init(mode: Mode, cause: KeelError) {
        self.mode = mode
        self.cause = cause
    }

    /// The `x-keel-degraded` header value, e.g. `cache; cause=upstream_unavailable`.
    public var headerValue: String { "\(mode.rawValue); cause=\(cause.code.name)" }
}
