import KeelCore
import Logging
import ServiceLifecycle
import Synchronization

/// Keeps the disk off the request path: finished requests are queued in memory and written in
/// batches, one transaction each. A failed batch stays queued and is tried again; on graceful
/// shutdown (SIGTERM) everything already queued is written before ``run()`` returns. The queue is
/// bounded, so that a storage outage cannot exhaust memory: past ``capacity`` records are dropped,
/// counted and reported in the log. Once a batch is written, its requests' redactions are appended
/// to the audit trail (one `pii_redacted` record a request), retried until they are.
public final class RequestLogWriter<C: Clock>: ExchangeObserver, RequestLogBacklog, Service where C.Duration == Duration {
    private struct Queue {
        var records: [RequestRecord] = []
        /// Redactions of records written, still to be audited.
        var audits: [AuditEvent] = []
        var dropped = 0
        var droppedSinceReport = 0
    }

    private let store: any RequestLogStore
    private let audit: AuditTrail?
    private let interval: Duration
    private let clock: C
    private let logger: Logger
    /// The most records kept waiting.
    public let capacity: Int
    /// Whether request and response bodies are written (else they served other observers only).
    private let keepsBodies: Bool
    private let queue = Mutex(Queue())

    public init(
        store: any RequestLogStore,
        audit: AuditTrail? = nil,
        interval: Duration = .milliseconds(50),
        capacity: Int = 100_000,
        keepsBodies: Bool = true,
        clock: C,
        logger: Logger
    ) {
        self.store = store
        self.audit = audit
        self.interval = interval
        self.capacity = capacity
        self.keepsBodies = keepsBodies
        self.clock = clock
        self.logger = logger
    }

    public func exchangeFinished(_ record: RequestRecord) {
        var record = record
        if !keepsBodies {
            record.requestBody = nil
            record.responseBody = nil
        }
        queue.withLock { queue in
            guard queue.records.count < capacity else {
                queue.dropped += 1
                queue.droppedSinceReport += 1
                return
            }
            queue.records.append(record)
        }
    }

    public var queueDepth: Int { queue.withLock { $0.records.count } }
    public var droppedRecords: Int { queue.withLock { $0.dropped } }

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
        let (batch, dropped) = queue.withLock { queue in
            defer { queue.droppedSinceReport = 0 }
            // Taken whole; the next batch starts at this one's size, not at the largest backlog ever seen.
            let batch = queue.records
            queue.records = []
            queue.records.reserveCapacity(batch.count)
            return (batch, queue.droppedSinceReport)
        }
        if dropped > 0 {
            logger.error("request log queue full; records dropped", metadata: ["dropped": "\(dropped)", "capacity": "\(capacity)"])
        }
        if !batch.isEmpty {
            do {
                try await store.append(batch)
                let audits = batch.compactMap(AuditEvent.redactions(of:))
                if !audits.isEmpty { queue.withLock { $0.audits += audits } }
            } catch {
                // A batch cancelled by shutdown is written by the last flush; any other failure is worth a line.
                if !(error is CancellationError) {
                    logger.error("request log batch failed; will retry", metadata: ["records": "\(batch.count)", "error": "\(error)"])
                }
                queue.withLock { $0.records.insert(contentsOf: batch, at: 0) }
            }
        }
        await flushAudits()
    }

    private func flushAudits() async {
        guard let audit else { return }
        let events = queue.withLock { queue in
            defer { queue.audits = [] }
            return queue.audits
        }
        guard !events.isEmpty else { return }
        do {
            try await audit.record(events)
        } catch {
            if !(error is CancellationError) {
                logger.error("auditing redactions failed; will retry", metadata: ["records": "\(events.count)", "error": "\(error)"])
            }
            queue.withLock { $0.audits.insert(contentsOf: events, at: 0) }
        }
    }
}

extension RequestLogWriter where C == ContinuousClock {
    public convenience init(
        store: any RequestLogStore,
        audit: AuditTrail? = nil,
        interval: Duration = .milliseconds(50),
        capacity: Int = 100_000,
        keepsBodies: Bool = true,
        logger: Logger
    ) {
        self.init(
            store: store,
            audit: audit,
            interval: interval,
            capacity: capacity,
            keepsBodies: keepsBodies,
            clock: ContinuousClock(),
            logger: logger
        )
    }
}
