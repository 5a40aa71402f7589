import KeelCore
import Logging
import NIOCore
import Synchronization

/// Keeps the server's client connections within bounds, so that no client — idle, slow or
/// flooding — can take the server down for the others:
///
/// - at most ``Configuration/maximumConnections`` are open. Past it, the connection that has waited
///   longest without a request in flight is closed to make room (a connection with a request in
///   flight never is); when every connection is busy, the new one is closed at once;
/// - a keep-alive connection with no request for ``Configuration/idleTimeout`` is closed;
/// - a request's head must arrive whole within ``Configuration/headerTimeout`` of its first byte
///   (or of the connection opening), so that a client dripping headers cannot hold a connection.
///
/// Every connection shed is counted in `keel_limit_exceeded_total` under the setting that shed it,
/// and shedding for capacity is logged (at most every ten seconds, with the count).
public final class ConnectionGuard: Sendable {
    public struct Configuration: Sendable, Hashable {
        public var maximumConnections: Int
        public var idleTimeout: Duration
        public var headerTimeout: Duration

        public init(maximumConnections: Int, idleTimeout: Duration = .seconds(60), headerTimeout: Duration = .seconds(10)) {
            self.maximumConnections = maximumConnections
            self.idleTimeout = idleTimeout
            self.headerTimeout = headerTimeout
        }
    }

    /// The open connections, and those waiting for a request oldest first.
    private struct Registry {
        var open: [Int: any Channel] = [:]
        /// The waiting connections, each with the number of its current wait.
        var waiting: [Int: Int] = [:]
        /// Waits in the order they began; an entry whose wait has ended is skipped when met.
        var queue = CircularBuffer<(id: Int, wait: Int)>()
        var nextID = 0
        var nextWait = 0
        var shedSinceReport = 0
        var lastReport: NIODeadline?

        /// Takes the connection that has waited longest, other than `except`.
        mutating func takeLongestWaiting(except: Int) -> (id: Int, channel: any Channel)? {
            var skipped: (id: Int, wait: Int)?
            defer { if let skipped { queue.prepend(skipped) } }
            while let entry = queue.popFirst() {
                guard waiting[entry.id] == entry.wait, let channel = open[entry.id] else { continue }
                if entry.id == except {
                    skipped = entry
                    continue
                }
                waiting[entry.id] = nil
                return (entry.id, channel)
            }
            return nil
        }

        /// Drops ended waits from the queue once they outnumber the live ones.
        mutating func compact() {
            guard queue.count > 2 * waiting.count + 64 else { return }
            queue = CircularBuffer(queue.filter { waiting[$0.id] == $0.wait })
        }
    }

    public let configuration: Configuration
    let trips: LimitTrips
    private let logger: Logger
    private let registry = Mutex(Registry())

    public init(configuration: Configuration, trips: LimitTrips = LimitTrips(), logger: Logger) {
        self.configuration = configuration
        self.trips = trips
        self.logger = logger
    }

    /// Client connections open now.
    public var openConnections: Int { registry.withLock { $0.open.count } }

    /// The handlers that guard one new connection, in pipeline order: the first before the HTTP
    /// decoder, the second after it, the third after the conversion to HTTP types.
    func handlers() -> (bytes: ConnectionBytesHandler, requests: ConnectionRequestsHandler, errors: ConnectionErrorHandler) {
        let connection = GuardedConnection(guard: self)
        return (ConnectionBytesHandler(connection), ConnectionRequestsHandler(connection), ConnectionErrorHandler(connection))
    }

    /// Registers a connection that has just opened, waiting for its first request; returns `false`
    /// when it must be closed at once, every other connection being busy.
    func admit(_ channel: any Channel) -> (id: Int, admitted: Bool) {
        let (id, victim, admitted) = registry.withLock { registry -> (Int, (any Channel)?, Bool) in
            let id = registry.nextID
            registry.nextID += 1
            registry.open[id] = channel
            Self.beginWait(id, &registry)
            guard registry.open.count > configuration.maximumConnections else { return (id, nil, true) }
            registry.shedSinceReport += 1
            if let victim = registry.takeLongestWaiting(except: id) {
                registry.open[victim.id] = nil
                return (id, victim.channel, true)
            }
            registry.open[id] = nil
            registry.waiting[id] = nil
            return (id, nil, false)
        }
        if victim != nil || !admitted { shed(reason: "server.max_connections") }
        victim?.close(promise: nil)
        return (id, admitted)
    }

    /// The connection `id` has a request in flight: it is not shed for room.
    func beginRequest(_ id: Int) {
        registry.withLock { _ = $0.waiting.removeValue(forKey: id) }
    }

    /// The connection `id` has answered every request and waits for the next.
    func endRequests(_ id: Int) {
        registry.withLock { registry in
            guard registry.open[id] != nil else { return }
            Self.beginWait(id, &registry)
            registry.compact()
        }
    }

    func closed(_ id: Int) {
        registry.withLock { registry in
            registry.open[id] = nil
            registry.waiting[id] = nil
        }
    }

    /// Counts a connection closed by `reason` (the setting that closed it) and, for capacity, logs it.
    func shed(reason: String) {
        trips.record(reason)
        guard reason == "server.max_connections" else { return }
        let now = NIODeadline.now()
        let report = registry.withLock { registry -> (shed: Int, open: Int)? in
            if let last = registry.lastReport, now - last < .seconds(10) { return nil }
            registry.lastReport = now
            defer { registry.shedSinceReport = 0 }
            return (registry.shedSinceReport, registry.open.count)
        }
        if let report {
            logger.warning(
                "connection limit reached; shedding the connections idle the longest",
                metadata: [
                    "shed": "\(report.shed)", "open": "\(report.open)", "max_connections": "\(configuration.maximumConnections)",
                ]
            )
        }
    }

    private static func beginWait(_ id: Int, _ registry: inout Registry) {
        let wait = registry.nextWait
        registry.nextWait += 1
        registry.waiting[id] = wait
        registry.queue.append((id, wait))
    }
}
