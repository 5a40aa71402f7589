import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A loopback HTTP/1.1 server that answers each request as a test scripts it (keep-alive or not,
/// silence, a body cut off, a slow stream, and the ways a hostile upstream misbehaves) and counts
/// the connections it saw opened and closed.
final class ScriptedHTTPServer: Sendable {
    struct Request: Sendable {
        /// The request's place among all the server received, from 0.
        let index: Int
        let head: HTTPRequestHead
        let body: String
    }

    indirect enum Reply: Sendable {
        case answer(status: HTTPResponseStatus, body: String, keepAlive: Bool = true)
        /// Never answers.
        case silence
        /// Sends the head and `firstPart` of a longer body, then closes the connection.
        case cutAfter(status: HTTPResponseStatus, firstPart: String)
        /// Sends `parts` as chunks, `gap` apart.
        case streamed(status: HTTPResponseStatus, parts: [String], gap: TimeAmount = .milliseconds(200))
        /// Sends `prefix`, then `piece` again and again (as fast as the client reads) until the connection closes.
        case endless(status: HTTPResponseStatus, prefix: String = "", piece: String)
        /// Sends one byte every `gap`, forever.
        case drip(status: HTTPResponseStatus, gap: TimeAmount)
        /// Resets the connection (TCP RST) without answering.
        case reset
        /// Replies `reply` after `delay`.
        case later(TimeAmount, Reply)
    }

    private struct State {
        var requests: [Request] = []
        var connections: [any Channel] = []
        var closed = 0
    }

    /// What the server saw, shared by its connections.
    private final class Record: Sendable {
        let state = Mutex(State())
    }

    let port: Int
    private let server: any Channel
    private let record = Record()

    init(_ script: @escaping @Sendable (Request) -> Reply) async throws {
        let record = self.record
        self.server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Connection(record: record, script: script))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        self.port = server.localAddress?.port ?? 0
    }

    var connections: Int { record.state.withLock { $0.connections.count } }
    var requests: [Request] { record.state.withLock { $0.requests } }

    /// Closes every connection from the server's side, as an upstream does with idle ones.
    func closeIdleConnections() {
        for connection in record.state.withLock({ $0.connections }) { connection.close(promise: nil) }
    }

    func waitForRequests(_ count: Int) async throws {
        try await waitUntil { $0.requests.count >= count }
    }

    func waitForClosedConnections(_ count: Int) async throws {
        try await waitUntil { $0.closed >= count }
    }

    func stop() async throws {
        closeIdleConnections()
        try await server.close()
    }

    private func waitUntil(_ condition: (State) -> Bool) async throws {
        for _ in 0..<500 {
            if record.state.withLock({ condition($0) }) { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        struct TimedOut: Error {}
        throw TimedOut()
    }

    private final class Connection: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let record: Record
        let script: @Sendable (Request) -> Reply
        var head: HTTPRequestHead?
        var body = ""

        init(record: Record, script: @escaping @Sendable (Request) -> Reply) {
            self.record = record
            self.script = script
        }

        func channelActive(context: ChannelHandlerContext) {
            let channel = context.channel
            record.state.withLock { $0.connections.append(channel) }
            context.fireChannelActive()
        }

        func channelInactive(context: ChannelHandlerContext) {
            record.state.withLock { $0.closed += 1 }
            context.fireChannelInactive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body = ""
            case .body(let part):
                body += String(buffer: part)
            case .end:
                guard let head else { return }
                let request = record.state.withLock { state in
                    let request = Request(index: state.requests.count, head: head, body: body)
                    state.requests.append(request)
                    return request
                }
                reply(script(request), context: context)
            }
        }

        private func reply(_ reply: Reply, context: ChannelHandlerContext) {
            switch reply {
            case .answer(let status, let body, let keepAlive):
                var headers: HTTPHeaders = ["content-length": String(body.utf8.count)]
                if !keepAlive { headers.add(name: "connection", value: "close") }
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
                let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
                if !keepAlive { written.assumeIsolated().whenComplete { _ in context.close(promise: nil) } }
            case .silence:
                break
            case .cutAfter(let status, let firstPart):
                let headers: HTTPHeaders = ["content-length": String(firstPart.utf8.count + 100)]
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: firstPart)))))
                    .assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            case .streamed(let status, let parts, let gap):
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status))), promise: nil)
                stream(parts[...], gap: gap, context: context)
            case .endless(let status, let prefix, let piece):
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status))), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: prefix)))), promise: nil)
                flood(ByteBuffer(string: String(repeating: piece, count: max(1, 65_536 / max(1, piece.utf8.count)))), context: context)
            case .drip(let status, let gap):
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status))), promise: nil)
                drip(gap: gap, context: context)
            case .reset:
                // A linger of zero makes the close an RST instead of a FIN.
                let channel = context.channel
                guard let socket = channel as? any SocketOptionProvider else { return channel.close(promise: nil) }
                socket.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in channel.close(promise: nil) }
            case .later(let delay, let reply):
                context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
                    if context.channel.isActive { self.reply(reply, context: context) }
                }
            }
        }

        /// Writes `block` again a millisecond after the last write went out (64 MB/s), never
        /// buffering ahead and never holding the event loop that other tests share.
        private func flood(_ block: ByteBuffer, context: ChannelHandlerContext) {
            guard context.channel.isActive else { return }
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(block)))).assumeIsolated().whenSuccess {
                context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(1)) { self.flood(block, context: context) }
            }
        }

        private func drip(gap: TimeAmount, context: ChannelHandlerContext) {
            guard context.channel.isActive else { return }
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: " ")))), promise: nil)
            context.eventLoop.assumeIsolated().scheduleTask(in: gap) { self.drip(gap: gap, context: context) }
        }

        private func stream(_ parts: ArraySlice<String>, gap: TimeAmount, context: ChannelHandlerContext) {
            guard let part = parts.first else {
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                return
            }
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: part)))), promise: nil)
            context.eventLoop.assumeIsolated().scheduleTask(in: gap) { self.stream(parts.dropFirst(), gap: gap, context: context) }
        }
    }
}
