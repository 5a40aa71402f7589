import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypesHTTP1

/// Hummingbird's HTTP/1 channel with a ``ConnectionGuard``'s handlers in each connection's pipeline.
struct GuardedHTTPChannel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let http1: HTTP1Channel
    let connectionGuard: ConnectionGuard

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let handlers = connectionGuard.handlers()
        do {
            try channel.pipeline.syncOperations.addHandler(handlers.bytes, position: .first)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return http1.setup(channel: channel, logger: logger).assumeIsolated().flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let codec = try pipeline.handler(type: HTTP1ToHTTPServerCodec.self)
            try pipeline.addHandler(handlers.requests, position: .before(codec))
            try pipeline.addHandler(handlers.errors, position: .after(codec))
            return value
        }
        .nonisolated()
    }

    func handle(value: Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with every connection under `connectionGuard`.
    public static func guardedHTTP1(_ connectionGuard: ConnectionGuard, configuration: HTTP1Channel.Configuration = .init()) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            GuardedHTTPChannel(http1: HTTP1Channel(responder: responder, configuration: configuration), connectionGuard: connectionGuard)
        }
    }
}
