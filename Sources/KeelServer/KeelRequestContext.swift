import Hummingbird
import KeelCore
import NIOCore

/// Hummingbird's basic context plus the request's connection, which the gateway watches so that
/// a client's disconnect cancels its request, and who is calling, which ``AuthenticationMiddleware``
/// puts there.
public struct KeelRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let channel: any Channel
    /// The caller, once authenticated.
    public var identity = Identity.anonymous

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}

/// Who a request comes from.
public enum Identity: Sendable {
    /// No credential was presented.
    case anonymous
    /// An active key, presented directly or through a dashboard session.
    case key(APIKey, session: DashboardSession?)
    /// A credential was presented and refused.
    case refused(KeelError)

    /// The caller's key, when there is one.
    public var key: APIKey? {
        guard case .key(let key, _) = self else { return nil }
        return key
    }
}
