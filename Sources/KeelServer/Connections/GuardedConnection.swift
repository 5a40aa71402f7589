import HTTPTypes
import KeelCore
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// One client connection under a ``ConnectionGuard``: whether it has a request in flight, and the
/// one timer that closes it when it waits too long for a request head. Shared by its three
/// handlers and used only on its channel's event loop.
final class GuardedConnection {
    private let connectionGuard: ConnectionGuard
    private var id: Int?
    private var context: ChannelHandlerContext?
    /// Requests whose head has arrived and whose response has not ended.
    private(set) var requestsInFlight = 0
    /// Whether the request being answered asked for the connection to close after it.
    var closesAfterResponse = false
    /// When the connection is closed unless a request head arrives; `nil` while requests are in flight.
    private var deadline: NIODeadline?
    /// The setting that deadline comes from.
    private var deadlineReason = "server.header_timeout_seconds"
    /// Whether bytes of a head have arrived since the last request ended.
    private var readingHead = false
    private var timer: Scheduled<Void>?
    private var timerDue: NIODeadline?

    init(guard connectionGuard: ConnectionGuard) {
        self.connectionGuard = connectionGuard
    }

    deinit { timer?.cancel() }

    private var configuration: ConnectionGuard.Configuration { connectionGuard.configuration }

    /// The connection opened: it is registered (or shed), and its first head is due within the header timeout.
    func opened(_ context: ChannelHandlerContext) {
        guard id == nil else { return }
        self.context = context
        let (id, admitted) = connectionGuard.admit(context.channel)
        self.id = id
        guard admitted else {
            context.close(promise: nil)
            return
        }
        wait(for: configuration.headerTimeout, reason: "server.header_timeout_seconds")
    }

    func closed() {
        timer?.cancel()
        timer = nil
        // The context holds the handlers that hold this connection: let go of it, or the three never go.
        context = nil
        if let id { connectionGuard.closed(id) }
        id = nil
    }

    /// Bytes arrived: a new request's head has begun, and must be whole within the header timeout.
    func bytesArrived() {
        guard requestsInFlight == 0, !readingHead else { return }
        readingHead = true
        wait(for: configuration.headerTimeout, reason: "server.header_timeout_seconds")
    }

    func requestBegan() {
        requestsInFlight += 1
        readingHead = false
        deadline = nil
        if requestsInFlight == 1, let id { connectionGuard.beginRequest(id) }
    }

    func responseEnded() {
        requestsInFlight = max(0, requestsInFlight - 1)
        guard requestsInFlight == 0, !closesAfterResponse else { return }
        if let id { connectionGuard.endRequests(id) }
        wait(for: configuration.idleTimeout, reason: "server.idle_timeout_seconds")
    }

    private func wait(for duration: Duration, reason: String) {
        let due = NIODeadline.now() + .nanoseconds(duration.nanoseconds)
        deadline = due
        deadlineReason = reason
        if let timerDue, timerDue <= due { return }
        timer?.cancel()
        schedule(at: due)
    }

    /// One timer per connection, moved only when it fires early or must fire sooner.
    private func schedule(at due: NIODeadline) {
        guard let context else { return }
        timerDue = due
        let connection = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: due) {
            let this = connection.value
            this.timer = nil
            this.timerDue = nil
            guard let deadline = this.deadline else { return }
            if NIODeadline.now() >= deadline {
                this.connectionGuard.shed(reason: this.deadlineReason)
                this.context?.close(promise: nil)
            } else {
                this.schedule(at: deadline)
            }
        }
    }
}

/// First in the pipeline: sees the connection open and close, and the first bytes of each head.
final class ConnectionBytesHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    private let connection: GuardedConnection

    init(_ connection: GuardedConnection) { self.connection = connection }

    func channelActive(context: ChannelHandlerContext) {
        connection.opened(context)
        context.fireChannelActive()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { connection.opened(context) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        connection.closed()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        connection.closed()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        connection.bytesArrived()
        context.fireChannelRead(data)
    }
}

/// After the HTTP/1 decoder: sees each request begin and each response end, and makes a request
/// that does not keep the connection alive (HTTP/1.0 without `keep-alive`, or `Connection: close`
/// in any case) close it after its response, as the protocol says.
final class ConnectionRequestsHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart
    private let connection: GuardedConnection

    init(_ connection: GuardedConnection) { self.connection = connection }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        connection.requestBegan()
        if !head.isKeepAlive {
            connection.closesAfterResponse = true
            // The server ends a connection after a request whose `connection` header is exactly "close".
            head.headers.replaceOrAdd(name: "connection", value: "close")
        }
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head) where connection.closesAfterResponse:
            head.headers.replaceOrAdd(name: "connection", value: "close")
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .end where connection.closesAfterResponse:
            let written = promise ?? context.eventLoop.makePromise()
            written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            context.write(data, promise: written)
            connection.responseEnded()
        case .end:
            context.write(data, promise: promise)
            connection.responseEnded()
        default:
            context.write(data, promise: promise)
        }
    }
}

/// After the conversion to HTTP types: a request that cannot be read (malformed framing, an
/// invalid method or chunk size) gets OpenAI's error body with 400 and the connection closes.
/// An error while a request is in flight goes on to its handler, which answers it the same way.
final class ConnectionErrorHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart
    private let connection: GuardedConnection
    private var answered = false

    init(_ connection: GuardedConnection) { self.connection = connection }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        connection.closesAfterResponse = true
        guard connection.requestsInFlight == 0, !answered else {
            context.fireErrorCaught(error)
            return
        }
        answered = true
        let failure =
            (error as? HTTPParserError).map(KeelError.init(unreadable:)) ?? KeelError(.invalidRequest, "The request could not be read: \(error).")
        let body = ByteBuffer(bytes: failure.body.serialized())
        let head = HTTPResponse(
            status: .badRequest,
            headerFields: [.contentType: "application/json", .contentLength: String(body.readableBytes), .connection: "close"]
        )
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}
