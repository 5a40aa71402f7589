import KeelCore
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// Where a plain-HTTP upstream listens.
struct PlainHTTPOrigin: Hashable, Sendable {
    var host: String
    var port: Int

    /// The `Host` header naming it: an IPv6 address in brackets, the port unless it is 80.
    var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == 80 ? name : "\(name):\(port)"
    }
}

/// One POST to a plain-HTTP upstream.
struct PlainHTTPRequest: Sendable {
    var origin: PlainHTTPOrigin
    var path: String
    var headers: HTTPHeaders
    var body: ByteBuffer
}

/// Keel's HTTP/1.1 client for upstreams without TLS: keep-alive connections pooled per event loop.
///
/// A request is started on the event loop its task runs on (with NIO as the global executor, the
/// loop that read the client's request), takes an idle connection of that loop or opens one, and is
/// answered there: no lock and no hop to another thread on the way.
final class PlainHTTPClient: Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let pools: [ObjectIdentifier: NIOLoopBoundBox<PlainHTTPConnectionPool>]

    init(group: MultiThreadedEventLoopGroup, maximumIdlePerOrigin: Int = 256) {
        self.group = group
        var pools: [ObjectIdentifier: NIOLoopBoundBox<PlainHTTPConnectionPool>] = [:]
        for loop in group.makeIterator() {
            pools[ObjectIdentifier(loop)] = NIOLoopBoundBox.makeBoxSendingValue(
                PlainHTTPConnectionPool(loop: loop, maximumIdlePerOrigin: maximumIdlePerOrigin),
                as: PlainHTTPConnectionPool.self,
                eventLoop: loop
            )
        }
        self.pools = pools
    }

    /// Sends `request` and returns once the response's head has arrived, or throws an
    /// ``UpstreamError`` when the connection fails or no head arrives within the attempt's
    /// `limits.timeout`; the body then fails with a timeout when it runs past that, or falls silent
    /// for `limits.idleTimeout`. Cancelling the task closes the connection.
    func post(_ request: PlainHTTPRequest, limits: UpstreamLimits) async throws -> UpstreamHTTPResponse {
        let loop = group.any()
        guard let pool = pools[ObjectIdentifier(loop)] else { preconditionFailure("an event loop outside the client's group") }
        let ticket = PlainHTTPTicket()
        var share = limits
        // The provider's cap is shared by the loops' pools.
        share.maximumConnections = max(1, (limits.maximumConnections + pools.count - 1) / pools.count)
        let limits = share
        return try await withTaskCancellationHandler {
            try Task.checkCancellation()
            let head =
                loop.inEventLoop
                ? pool.value.start(request, ticket: ticket, limits: limits)
                : loop.flatSubmit { pool.value.start(request, ticket: ticket, limits: limits) }
            return try await head.get()
        } onCancel: {
            ticket.cancel()
            loop.execute { pool.value.cancel(ticket) }
        }
    }

    /// The connections open now, over every loop.
    func openConnections() async -> Int {
        var count = 0
        for (_, pool) in pools {
            count += (try? await pool.eventLoop.submit { pool.value.openConnections }.get()) ?? 0
        }
        return count
    }

    /// Closes every connection; requests in flight fail.
    func shutdown() async {
        for (_, pool) in pools {
            try? await pool.eventLoop.submit { pool.value.closeAll() }.get()
        }
    }
}

/// Names one request across threads, so that its task's cancellation can find it on its loop.
final class PlainHTTPTicket: Sendable {
    private let cancelled = Atomic<Bool>(false)

    var isCancelled: Bool { cancelled.load(ordering: .acquiring) }

    func cancel() { cancelled.store(true, ordering: .releasing) }
}
