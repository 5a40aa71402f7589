import Foundation
import KeelCore
import KeelStore
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@Suite struct SQLiteStoreTests {
    static func record(_ id: String, at seconds: Double, route: String = "r", status: Int = 200, attempts: Int = 1) -> RequestRecord {
        RequestRecord(
            id: id,
            startedAt: Date(timeIntervalSince1970: seconds),
            operation: "chat",
            keyID: "key_1",
            requestedModel: route,
            route: route,
            model: "m",
            provider: "p",
            status: status,
            errorCode: status == 200 ? nil : "upstream_error",
            durationMs: 12.5,
            upstreamMs: 10,
            inputTokens: 5,
            outputTokens: 7,
            cost: Money(picodollars: 123),
            requestBody: #"{"model":"r"}"#,
            attempts: (0..<attempts).map {
                AttemptRecord(number: $0 + 1, provider: "p", model: "m", startOffsetMs: 1, durationMs: 2, upstreamStatus: 200, error: nil)
            }
        )
    }

    @Test func keysAreFoundByHashOnlyAndTheSecretIsNeverStored() async throws {
        try await withTemporaryDirectory { directory in
            let path = "\(directory)/keel.sqlite"
            let store = try SQLiteStore(path: path)
            let secret = APIKeySecret.generate()
            try await store.insert(secret.key(name: "ci", role: .admin))
            #expect(try await store.key(hash: secret.hash)?.role == .admin)
            #expect(try await store.key(hash: APIKeySecret.hash(secret.value + "x")) == nil)
            let file = try Data(contentsOf: URL(fileURLWithPath: path)) + ((try? Data(contentsOf: URL(fileURLWithPath: path + "-wal"))) ?? Data())
            #expect(file.range(of: Data(secret.value.utf8)) == nil, "the secret itself must not be on disk")
        }
    }

    @Test func theLogKeepsRecordsWithTheirAttemptsAndPagesNewestFirst() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(path: "\(directory)/keel.sqlite")
            try await store.append(
                (0..<25).map {
                    Self.record("req_\($0)", at: Double($0), route: $0 % 2 == 0 ? "even" : "odd", status: $0 % 5 == 0 ? 502 : 200, attempts: $0 % 3)
                }
            )
            let first = try await store.requests(matching: RequestQuery(limit: 10))
            #expect(first.map(\.id) == (15..<25).reversed().map { "req_\($0)" })
            let second = try await store.requests(matching: RequestQuery(before: first.last?.id, limit: 10))
            #expect(second.map(\.id) == (5..<15).reversed().map { "req_\($0)" })
            #expect(try await store.requests(matching: RequestQuery(route: "even", limit: 100)).count == 13)
            #expect(
                try await store.requests(matching: RequestQuery(failedOnly: true, limit: 100)).map(\.id).sorted() == [
                    "req_0", "req_10", "req_15", "req_20", "req_5",
                ]
            )
            let one = try #require(try await store.requests(matching: RequestQuery(status: 200, limit: 100)).first { $0.id == "req_8" })
            #expect(one == Self.record("req_8", at: 8, route: "even", attempts: 2))

            // Spend, as budgets load it at start-up: by route, by key, since a time.
            let each = try #require(one.cost)
            #expect(try await store.spend(since: Date(timeIntervalSince1970: 0), keyIDs: nil, route: "even") == each * 13)
            #expect(try await store.spend(since: Date(timeIntervalSince1970: 20), keyIDs: ["key_1"], route: nil) == each * 5)
            #expect(try await store.spend(since: Date(timeIntervalSince1970: 0), keyIDs: ["key_other"], route: nil) == .zero)
            #expect(try await store.spend(since: Date(timeIntervalSince1970: 0), keyIDs: [], route: nil) == .zero)
        }
    }

    @Test func theWriterFlushesEverythingAcceptedOnGracefulShutdown() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(path: "\(directory)/keel.sqlite")
            // A long interval: nothing is written before shutdown unless shutdown flushes.
            let writer = RequestLogWriter(store: store, interval: .seconds(3600), logger: Logger(label: "test"))
            let group = ServiceGroup(configuration: .init(services: [writer], logger: Logger(label: "test")))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                for index in 0..<500 { writer.exchangeFinished(Self.record("req_\(index)", at: Double(index))) }
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
        for index in 0..<5 { writer.exchangeFinished(Self.record("req_\(index)", at: Double(index))) }
        #expect(writer.queueDepth == 3 && writer.droppedRecords == 2)
        await writer.flush()
        #expect(writer.queueDepth == 3, "a failed batch is kept")
        await writer.flush()
        #expect(store.written.map(\.id) == ["req_0", "req_1", "req_2"] && writer.queueDepth == 0 && writer.droppedRecords == 2)
    }

    @Test func aFailedBatchIsKeptAndWrittenLater() async throws {
        let store = FlakyLogStore(failures: 1)
        let writer = RequestLogWriter(store: store, logger: Logger(label: "test"))
        writer.exchangeFinished(Self.record("req_a", at: 1))
        await writer.flush()
        #expect(store.written.isEmpty && writer.queueDepth == 1)
        writer.exchangeFinished(Self.record("req_b", at: 2))
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
