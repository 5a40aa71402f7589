import Foundation
import KeelCore
import KeelStore
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// The request log's writer: batches off the hot path, keeps failed batches, drops (and counts)
/// past its capacity, flushes on shutdown.
@Suite struct RequestLogWriterTests {
    @Test(arguments: TestBackend.available)
    func theWriterFlushesEverythingAcceptedOnGracefulShutdown(on backend: TestBackend) async throws {
        try await backend.withStorage { storage in
            let store = storage.log
            // A long interval: nothing is written before shutdown unless shutdown flushes.
            let writer = RequestLogWriter(store: store, interval: .seconds(3600), logger: Logger(label: "test"))
            let group = ServiceGroup(configuration: .init(services: [writer], logger: Logger(label: "test")))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                for index in 0..<500 { writer.exchangeFinished(StoreConformanceTests.record("req_\(index)", at: Double(index))) }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            #expect(try await store.requests(matching: RequestQuery(limit: 1000)).count == 500)
            #expect(writer.queueDepth == 0)
        }
    }

    @Test func aFullQueueDropsAndCountsInsteadOfGrowing() async throws {
        let store = FlakyLogStore(failures: 1)
        let writer = RequestLogWriter(store: store, capacity: 3, logger: Logger(label: "test"))
        for index in 0..<5 { writer.exchangeFinished(StoreConformanceTests.record("req_\(index)", at: Double(index))) }
        #expect(writer.queueDepth == 3 && writer.droppedRecords == 2)
        await writer.flush()
        #expect(writer.queueDepth == 3, "a failed batch is kept")
        await writer.flush()
        #expect(store.written.map(\.id) == ["req_0", "req_1", "req_2"] && writer.queueDepth == 0 && writer.droppedRecords == 2)
    }

    @Test func aFailedBatchIsKeptAndWrittenLater() async throws {
        let store = FlakyLogStore(failures: 1)
        let writer = RequestLogWriter(store: store, logger: Logger(label: "test"))
        writer.exchangeFinished(StoreConformanceTests.record("req_a", at: 1))
        await writer.flush()
        #expect(store.written.isEmpty && writer.queueDepth == 1)
        writer.exchangeFinished(StoreConformanceTests.record("req_b", at: 2))
        await writer.flush()
        #expect(store.written.map(\.id) == ["req_a", "req_b"])
    }
}

/// A log store that fails its first `failures` appends.
final class FlakyLogStore: RequestLogStore {
    private let state: Mutex<(failures: Int, written: [RequestRecord])>

    init(failures: Int) { self.state = Mutex((failures, [])) }

    var written: [RequestRecord] { state.withLock { $0.written } }

    func append(_ records: [RequestRecord]) async throws {
        try state.withLock { state in
            if state.failures > 0 {
                state.failures -= 1
                throw CancellationError()
            }
            state.written += records
        }
    }

    func requests(matching query: RequestQuery) async throws -> [RequestRecord] { written }

    func spend(since: Date, keyIDs: [String]?, route: String?) async throws -> Money {
        written.filter { $0.startedAt >= since }.reduce(.zero) { $0 + ($1.cost ?? .zero) }
    }
}
