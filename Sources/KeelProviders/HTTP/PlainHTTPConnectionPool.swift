import KeelCore
import NIOCore
import NIOHTTP1
import NIOPosix

/// One event loop's connections to plain-HTTP upstreams and its requests still waiting for a
/// response head. At most a provider's `max_connections` (its share on this loop) are open or
/// opening to one origin; requests past that queue for the next connection to come free, within
/// their own timeout. Lives on its loop and is only used there, so it needs no lock.
final class PlainHTTPConnectionPool {
    let loop: any EventLoop
    private let maximumIdlePerOrigin: Int
    private var idle: [PlainHTTPOrigin: [PlainHTTPConnection]] = [:]
    private var open: [ObjectIdentifier: PlainHTTPConnection] = [:]
    private var waiting: [ObjectIdentifier: PlainHTTPExchange] = [:]
    /// Connections open or opening, per origin.
    private var connections: [PlainHTTPOrigin: Int] = [:]
    /// Requests waiting for a connection to their origin, oldest first.
    private var queued: [PlainHTTPOrigin: CircularBuffer<PlainHTTPExchange>] = [:]
    private var closed = false

    init(loop: any EventLoop, maximumIdlePerOrigin: Int) {
        self.loop = loop
        self.maximumIdlePerOrigin = maximumIdlePerOrigin
    }

    /// Sends `request` on an idle connection to its origin, or on a new one.
    func start(_ request: PlainHTTPRequest, ticket: PlainHTTPTicket, limits: UpstreamLimits) -> EventLoopFuture<UpstreamHTTPResponse> {
        let promise = loop.makePromise(of: UpstreamHTTPResponse.self)
        guard !ticket.isCancelled else {
            promise.fail(CancellationError())
            return promise.futureResult
        }
        guard !closed else {
            promise.fail(UpstreamError(.unavailable, "Keel is shutting down"))
            return promise.futureResult
        }
        let deadline = NIODeadline.now() + .nanoseconds(limits.timeout.nanoseconds)
        let exchange = PlainHTTPExchange(request: request, promise: promise, deadline: deadline, limits: limits)
        let key = ObjectIdentifier(ticket)
        waiting[key] = exchange
        promise.futureResult.assumeIsolated().whenComplete { _ in self.waiting[key] = nil }
        exchange.timeout = loop.assumeIsolated().scheduleTask(deadline: deadline) {
            exchange.fail(UpstreamError(.timeout, "no answer within the attempt's timeout"))
        }
        if let connection = takeIdle(request.origin) {
            connection.send(exchange)
        } else if connections[request.origin, default: 0] < limits.maximumConnections {
            openConnection(for: exchange)
        } else {
            queued[request.origin, default: CircularBuffer()].append(exchange)
        }
        return promise.futureResult
    }

    /// Opens a connection to the exchange's origin and sends the exchange on it (or, if it has
    /// ended meanwhile, gives the connection to the next in line).
    private func openConnection(for exchange: PlainHTTPExchange) {
        let origin = exchange.request.origin
        connections[origin, default: 0] += 1
        connect(to: origin, timeout: exchange.connectTimeout).whenComplete { result in
            switch result {
            case .success(let connection):
                if exchange.isFinished { self.release(connection) } else { connection.send(exchange) }
            case .failure(let error):
                self.connections[origin, default: 1] -= 1
                exchange.fail(UpstreamError(.unavailable, "could not connect to \(origin.host):\(origin.port): \(error)"))
                if let next = self.nextQueued(origin) { self.openConnection(for: next) }
            }
        }
    }

    /// The oldest request still waiting for a connection to `origin`.
    private func nextQueued(_ origin: PlainHTTPOrigin) -> PlainHTTPExchange? {
        while let exchange = queued[origin]?.popFirst() {
            if !exchange.isFinished { return exchange }
        }
        return nil
    }

    /// Ends a request whose task was cancelled; its connection, if it has one, is closed.
    func cancel(_ ticket: PlainHTTPTicket) {
        waiting[ObjectIdentifier(ticket)]?.fail(CancellationError())
    }

    /// Takes `connection` back once its response has been read whole: the next request waiting
    /// for its origin gets it, or it waits idle.
    func release(_ connection: PlainHTTPConnection) {
        guard !closed, connection.isActive else {
            connection.close()
            return
        }
        if let next = nextQueued(connection.origin) { return connection.send(next) }
        guard idle[connection.origin, default: []].count < maximumIdlePerOrigin else {
            connection.close()
            return
        }
        idle[connection.origin, default: []].append(connection)
    }

    var openConnections: Int { open.count }

    /// Registers a connection that has just opened.
    func opened(_ connection: PlainHTTPConnection) {
        open[ObjectIdentifier(connection)] = connection
    }

    /// Forgets a connection that has closed; a request waiting for its origin gets a new one.
    func closed(_ connection: PlainHTTPConnection) {
        open[ObjectIdentifier(connection)] = nil
        idle[connection.origin]?.removeAll { $0 === connection }
        connections[connection.origin, default: 1] -= 1
        if !closed, let next = nextQueued(connection.origin) { openConnection(for: next) }
    }

    /// Closes every connection and fails the requests waiting for one.
    func closeAll() {
        closed = true
        for exchange in waiting.values { exchange.fail(UpstreamError(.unavailable, "Keel is shutting down")) }
        queued = [:]
        for connection in open.values { connection.close() }
        idle = [:]
    }

    private func takeIdle(_ origin: PlainHTTPOrigin) -> PlainHTTPConnection? {
        while let connection = idle[origin]?.popLast() {
            if connection.isActive { return connection }
        }
        return nil
    }

    private func connect(to origin: PlainHTTPOrigin, timeout: Duration) -> EventLoopFuture<PlainHTTPConnection>.Isolated {
        let pool = NIOLoopBound(self, eventLoop: loop)
        return ClientBootstrap(group: loop)
            .connectTimeout(.nanoseconds(timeout.nanoseconds))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(PlainHTTPConnection(origin: origin, pool: pool.value))
                }
            }
            .connect(host: origin.host, port: origin.port)
            .assumeIsolated()
            .flatMapThrowing { channel in try channel.pipeline.syncOperations.handler(type: PlainHTTPConnection.self) }
    }
}

/// A request waiting for its response head: completed once, by whichever comes first of the head,
/// a failure of its connection, its timeout, or its task's cancellation.
final class PlainHTTPExchange {
    let request: PlainHTTPRequest
    /// When the whole attempt, body included, must be over.
    let deadline: NIODeadline
    /// The longest silence between two reads of the body.
    let idleTimeout: TimeAmount
    /// The longest wait for a new connection to open.
    let connectTimeout: Duration
    private var promise: EventLoopPromise<UpstreamHTTPResponse>?
    var timeout: Scheduled<Void>?
    /// The connection carrying the request, once it is sent.
    var connection: PlainHTTPConnection?

    init(request: PlainHTTPRequest, promise: EventLoopPromise<UpstreamHTTPResponse>, deadline: NIODeadline, limits: UpstreamLimits) {
        self.request = request
        self.promise = promise
        self.deadline = deadline
        self.idleTimeout = .nanoseconds(limits.idleTimeout.nanoseconds)
        self.connectTimeout = min(limits.connectTimeout, limits.timeout)
    }

    var isFinished: Bool { promise == nil }

    func succeed(_ response: UpstreamHTTPResponse) {
        guard let promise = take() else { return }
        promise.succeed(response)
    }

    /// Fails the request; a connection that already carries it is closed, since its answer can no
    /// longer be told from the next request's.
    func fail(_ error: any Error) {
        guard let promise = take() else { return }
        connection?.abandon(self)
        promise.fail(error)
    }

    private func take() -> EventLoopPromise<UpstreamHTTPResponse>? {
        defer {
            promise = nil
            timeout?.cancel()
            timeout = nil
        }
        return promise
    }
}
