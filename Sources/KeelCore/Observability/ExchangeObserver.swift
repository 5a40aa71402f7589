/// Told about every finished request; must return at once (queue, count, never wait on disk).
public protocol ExchangeObserver: Sendable {
    func exchangeFinished(_ record: RequestRecord)
}
