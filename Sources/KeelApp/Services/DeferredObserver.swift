import KeelCore
import Logging
import ServiceLifecycle
import Synchronization

/// Hands finished requests to a slower observer (the tracer) from a background task, in batches,
/// so that the request path only appends to a queue under a lock. The queue is bounded: past
/// ``capacity`` records are dropped, counted and reported in the log. On graceful shutdown what is
/// queued is delivered before ``run()`` returns.
final class DeferredObserver<C: Clock>: ExchangeObserver, Service where C.Duration == Duration {
    private struct Queue {
        var records: [RequestRecord] = []
        var dropped = 0
    }

    private let observer: any ExchangeObserver
    private let interval: Duration
    private let capacity: Int
    private let clock: C
    private let logger: Logger
    private let queue = Mutex(Queue())

    init(_ observer: any ExchangeObserver, interval: Duration = .milliseconds(50), capacity: Int = 100_000, clock: C, logger: Logger) {
        self.observer = observer
        self.interval = interval
        self.capacity = capacity
        self.clock = clock
        self.logger = logger
    }

    func exchangeFinished(_ record: RequestRecord) {
        queue.withLock { queue in
            guard queue.records.count < capacity else {
                queue.dropped += 1
                return
            }
            queue.records.append(record)
        }
    }

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while true {
                try await self.clock.sleep(for: self.interval)
                self.deliver()
            }
        }
        deliver()
    }

    /// Hands everything queued to the observer.
    func deliver() {
        let (batch, dropped) = queue.withLock { queue in
            defer { queue = Queue() }
            return (queue.records, queue.dropped)
        }
        if dropped > 0 {
            logger.warning("Finished requests were not traced: the queue was full", metadata: ["dropped": "\(dropped)", "capacity": "\(capacity)"])
        }
        for record in batch { observer.exchangeFinished(record) }
    }
}
