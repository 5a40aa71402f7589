import KeelCore
import Synchronization

/// Keeps every finished request's record, for assertions.
public final class RecordingObserver: ExchangeObserver {
    private let recorded = Mutex<[RequestRecord]>([])

    public init() {}

    public func exchangeFinished(_ record: RequestRecord) { recorded.withLock { $0.append(record) } }

    public var records: [RequestRecord] { recorded.withLock { $0 } }
}
