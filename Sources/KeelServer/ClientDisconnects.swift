import NIOCore
import Synchronization

/// Cancels a request's work when its client goes away, so that an abandoned request stops paying
/// for its upstream call.
///
/// The server's connections each carry a ``Watcher`` handler, which reports the client closing its
/// side (the server keeps half-closed connections open, so this is the signal, not the channel's
/// close). ``run(on:_:)`` runs a request's work as a task that such a report cancels. A client that
/// half-closes its connection on purpose after sending a request (legal, and rare) is taken as gone.
public final class ClientDisconnects: Sendable {
    private struct Connection {
        var gone = false
        var cancelCurrent: (@Sendable () -> Void)?
    }

    private let connections = Mutex<[ObjectIdentifier: Connection]>([:])

    public init() {}

    /// A handler for one new connection's pipeline.
    public func watcher() -> Watcher { Watcher(disconnects: self) }

    /// Runs `operation`, cancelling it if the client of `channel` disconnects first.
    public func run<Value: Sendable>(on channel: any Channel, _ operation: @escaping @Sendable () async -> Value) async -> Value {
        let id = ObjectIdentifier(channel)
        let task = Task { await operation() }
        let alreadyGone = connections.withLock { connections -> Bool in
            guard connections[id] != nil else { return false }
            connections[id]?.cancelCurrent = { task.cancel() }
            return connections[id]?.gone ?? false
        }
        if alreadyGone { task.cancel() }
        defer { connections.withLock { $0[id]?.cancelCurrent = nil } }
        return await withTaskCancellationHandler {
            await task.value
        } onCancel: {
            task.cancel()
        }
    }

    fileprivate func opened(_ id: ObjectIdentifier) { connections.withLock { $0[id] = Connection() } }

    fileprivate func clientLeft(_ id: ObjectIdentifier, closed: Bool) {
        let cancel = connections.withLock { connections -> (@Sendable () -> Void)? in
            let cancel = connections[id]?.cancelCurrent
            if closed {
                connections[id] = nil
            } else {
                connections[id]?.gone = true
            }
            return cancel
        }
        cancel?()
    }

    /// Reports its connection's client leaving to ``ClientDisconnects``; passes everything on.
    public final class Watcher: ChannelInboundHandler, RemovableChannelHandler, Sendable {
        public typealias InboundIn = Never
        private let disconnects: ClientDisconnects

        fileprivate init(disconnects: ClientDisconnects) { self.disconnects = disconnects }

        public func handlerAdded(context: ChannelHandlerContext) { disconnects.opened(ObjectIdentifier(context.channel)) }

        public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case .some(ChannelEvent.inputClosed) = event as? ChannelEvent {
                disconnects.clientLeft(ObjectIdentifier(context.channel), closed: false)
            }
            context.fireUserInboundEventTriggered(event)
        }

        public func channelInactive(context: ChannelHandlerContext) {
            disconnects.clientLeft(ObjectIdentifier(context.channel), closed: true)
            context.fireChannelInactive()
        }
    }
}
