import KeelCore
import NIOCore
import NIOHTTP1

/// One keep-alive HTTP/1.1 connection to a plain-HTTP upstream, carrying one request at a time: it
/// writes the request, hands the response head to the waiting request, and streams the body to it.
/// Lives on its channel's event loop.
final class PlainHTTPConnection: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    let origin: PlainHTTPOrigin
    private let pool: PlainHTTPConnectionPool
    private var context: ChannelHandlerContext?
    /// The request sent and waiting for its head.
    private var exchange: PlainHTTPExchange?
    /// The body being streamed to the request that got its head.
    private var body: AsyncThrowingStream<ByteBuffer, any Error>.Continuation?
    /// Counts requests, so that a consumer giving up on an earlier body cannot close a later one.
    private var generation = 0
    private var keepAlive = true
    /// The streaming body's bounds in time: the attempt's deadline and the longest silence.
    private var bodyDeadline = NIODeadline.distantFuture
    private var idleTimeout = TimeAmount.seconds(60)
    private var lastRead = NIODeadline.now()
    private var bodyWatch: Scheduled<Void>?

    init(origin: PlainHTTPOrigin, pool: PlainHTTPConnectionPool) {
        self.origin = origin
        self.pool = pool
    }

    var isActive: Bool { context?.channel.isActive ?? false }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func channelActive(context: ChannelHandlerContext) {
        pool.opened(self)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Writes the exchange's request.
    func send(_ exchange: PlainHTTPExchange) {
        guard let context, context.channel.isActive else {
            exchange.fail(UpstreamError(.unavailable, "the connection to \(origin.host):\(origin.port) closed"))
            return
        }
        self.exchange = exchange
        exchange.connection = self
        generation += 1
        let request = exchange.request
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: request.path, headers: request.headers)
        head.headers.replaceOrAdd(name: "host", value: origin.hostHeader)
        head.headers.replaceOrAdd(name: "content-length", value: String(request.body.readableBytes))
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(request.body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            guard let exchange else {
                context.close(promise: nil)
                return
            }
            self.exchange = nil
            exchange.connection = nil
            keepAlive = head.isKeepAlive
            bodyDeadline = exchange.deadline
            idleTimeout = exchange.idleTimeout
            lastRead = .now()
            watchBody(context)
            let (stream, continuation) = AsyncThrowingStream.makeStream(of: ByteBuffer.self)
            let connection = NIOLoopBound(self, eventLoop: context.eventLoop)
            let generation = self.generation
            continuation.onTermination = { termination in
                guard case .cancelled = termination else { return }
                connection.eventLoop.execute { connection.value.stopStreaming(generation) }
            }
            body = continuation
            exchange.succeed(UpstreamHTTPResponse(status: Int(head.status.code), headers: head.headers, body: .pooled(stream)))
        case .body(let part):
            lastRead = .now()
            body?.yield(part)
        case .end:
            guard let body else { return }
            self.body = nil
            bodyWatch?.cancel()
            body.finish()
            if keepAlive { pool.release(self) } else { context.close(promise: nil) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(UpstreamError(.serverError, "the upstream closed the connection"))
        pool.closed(self)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let failure =
            error is HTTPParserError
            ? UpstreamError(.badResponse, "the upstream's HTTP response is malformed: \(error)")
            : UpstreamError(.serverError, "the connection to the upstream failed: \(error)")
        fail(failure)
        context.close(promise: nil)
    }

    /// Closes the connection.
    func close() {
        context?.close(promise: nil)
    }

    /// Called when `exchange` failed from outside (timeout, cancellation) after it was sent.
    func abandon(_ exchange: PlainHTTPExchange) {
        guard self.exchange === exchange else { return }
        self.exchange = nil
        close()
    }

    /// Fails the body being streamed when the attempt's deadline passes or nothing was read for the
    /// idle timeout: one timer, moved only when it fires, so that a read costs no rescheduling.
    private func watchBody(_ context: ChannelHandlerContext) {
        let due = min(bodyDeadline, lastRead + idleTimeout)
        let connection = NIOLoopBound(self, eventLoop: context.eventLoop)
        bodyWatch = context.eventLoop.assumeIsolated().scheduleTask(deadline: due) {
            let this = connection.value
            guard this.body != nil else { return }
            let now = NIODeadline.now()
            if now >= this.bodyDeadline {
                this.timeOut("the answer took longer than the attempt's timeout")
            } else if now >= this.lastRead + this.idleTimeout {
                this.timeOut("the upstream sent nothing for \(this.idleTimeout.nanoseconds / 1_000_000) ms")
            } else {
                this.watchBody(context)
            }
        }
    }

    private func timeOut(_ message: String) {
        guard let body else { return }
        self.body = nil
        body.finish(throwing: UpstreamError(.timeout, message))
        close()
    }

    /// Called when the reader of a body stops before its end: the rest can only be discarded with
    /// the connection.
    private func stopStreaming(_ generation: Int) {
        guard generation == self.generation, body != nil else { return }
        body = nil
        bodyWatch?.cancel()
        close()
    }

    /// Fails whatever is in flight: the request waiting for its head, or the body being streamed.
    private func fail(_ error: UpstreamError) {
        if let exchange {
            self.exchange = nil
            exchange.connection = nil
            exchange.fail(error)
        }
        if let body {
            self.body = nil
            bodyWatch?.cancel()
            // A stream's reader turns this into `streamInterrupted` (see `ServerSentEventSequence`).
            body.finish(throwing: UpstreamError(.serverError, "the answer broke off: \(error.message)"))
        }
    }
}
