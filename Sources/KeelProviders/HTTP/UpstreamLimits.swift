/// How long Keel waits on an HTTP provider and how much it reads from it. Each bound that trips
/// fails the attempt cleanly — retried or failed over like any other upstream error — and is
/// counted in `keel_limit_exceeded_total` under its configuration key.
public struct UpstreamLimits: Sendable, Hashable {
    /// Opening a connection (`connect_timeout_seconds`).
    public var connectTimeout: Duration = .seconds(10)
    /// The whole attempt, from sending the request to the last byte of the answer, streams
    /// included (`timeout_seconds`).
    public var timeout: Duration = .seconds(300)
    /// The longest silence between two reads of a body once its head has arrived
    /// (`idle_timeout_seconds`).
    public var idleTimeout: Duration = .seconds(60)
    /// A whole answer that is not streamed (`max_response_bytes`).
    public var maximumResponseBytes = 32 << 20
    /// One line of a stream (`max_line_bytes`).
    public var maximumLineBytes = 1 << 20
    /// A whole streamed answer (`max_stream_bytes`).
    public var maximumStreamBytes = 64 << 20
    /// Connections open to the provider at once (`max_connections`); requests past it wait for
    /// one to be free, within their timeout. Keel's own connections spread it over the event loops.
    public var maximumConnections = 512

    /// An error body is read for its message up to this size, and ignored past it.
    static let maximumErrorBytes = 64 << 10

    public init() {}
}
