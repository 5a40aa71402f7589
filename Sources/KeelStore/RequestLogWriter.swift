import KeelCore
import Logging
import ServiceLifecycle
import Synchronization

/// Keeps the disk off the request path: finished requests are queued in memory and written in
/// batches, one transaction each. A failed batch stays queued and is tried again; on graceful
/// shutdown (SIGTERM) everything already queued is written before ``run()`` returns.
public final class RequestLogWriter<C: Clock>: ExchangeObserver, Service where C.Duration == Duration {
    private let store: any RequestLogStore
    private let interval: Duration
    private let clock: C
    private let logger: Logger
    private let queue = Mutex<[RequestRecord]>([])

    public init(store: any RequestLogStore, interval: Duration = .milliseconds(50), clock: C, logger: Logger) {
        self.store = store
        self.interval = interval
        self.clock = clock
        self.logger = logger
    }

    public func exchangeFinished(_ record: RequestRecord) {
        queue.withLock { $0.append(record) }
    }

    /// Records waiting to be written.
    public var queueDepth: Int { queue.withLock { $0.count } }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while true {
                try await self.clock.sleep(for: self.interval)
                await self.flush()
            }
        }
        // The last batch must be written even when this task was cancelled rather than shut down
        // gracefully: an awaited child task does not inherit the cancellation.
        await Task { await self.flush() }.value
    }

    /// Writes everything queued now; on failure the records go back to the front of the queue.
    public func flush() async {
        let batch = queue.withLock { queue in
            defer { queue.removeAll(keepingCapacity: true) }
            return queue
        }
        guard !batch.isEmpty else { return }
        do {
            try await store.append(batch)
        } catch {
            // A batch cancelled by shutdown is written by the last flush; any other failure is worth a line.
            if !(error is CancellationError) {
                logger.error("request log batch failed; will retry", metadata: ["records": "\(batch.count)", "error": "\(error)"])
            }
            queue.withLock { $0.insert(contentsOf: batch, at: 0) }
        }
    }
}

extension RequestLogWriter where C == ContinuousClock {
    public convenience init(store: any RequestLogStore, interval: Duration = .milliseconds(50), logger: Logger) {
        self.init(store: store, interval: interval, clock: ContinuousClock(), logger: logger)
    }
}
