import KeelServer
import Logging
import ServiceLifecycle

#if os(Linux)
import CMalloc
#endif

/// Gives memory back to the system once a burst of connections is over. glibc keeps what a flood
/// of connections allocated (their channels, buffers and tasks) after they close, so a process that
/// held 10,000 idle connections for a minute would stay at that size; when the open connections
/// have fallen by ``burst`` since the last look, this asks malloc to return its free pages. Between
/// bursts it does nothing, so that trimming never stalls the allocator under steady load.
struct MemoryTrimmer: Service {
    let connections: ConnectionGuard
    var interval: Duration = .seconds(5)
    var burst = 1000
    let logger: Logger

    func run() async throws {
        var highWater = connections.openConnections
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            let open = connections.openConnections
            highWater = max(highWater, open)
            guard highWater - open >= burst else { continue }
            #if os(Linux)
            malloc_trim(0)
            #endif
            logger.debug("returned free memory to the system after a burst of connections", metadata: ["from": "\(highWater)", "to": "\(open)"])
            highWater = open
        }
    }
}
