import Hummingbird
import NIOCore

/// Hummingbird's basic context plus the request's connection, which the gateway watches so that
/// a client's disconnect cancels its request.
public struct KeelRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}
