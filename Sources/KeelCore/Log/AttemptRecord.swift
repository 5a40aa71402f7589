/// One call to an upstream on behalf of a request.
public struct AttemptRecord: Sendable, Hashable {
    public var number: Int
    public var provider: String
    public var model: String
    /// Milliseconds from the start of the request to the start of this attempt.
    public var startOffsetMs: Double
    public var durationMs: Double
    /// The upstream's HTTP status, when it answered.
    public var upstreamStatus: Int?
    /// The failure, when the attempt failed (an ``UpstreamError/Kind`` raw value).
    public var error: String?

    public init(number: Int, provider: String, model: String, startOffsetMs: Double, durationMs: Double, upstreamStatus: Int?, error: String?) {
        self.number = number
        self.provider = provider
        self.model = model
        self.startOffsetMs = startOffsetMs
        self.durationMs = durationMs
        self.upstreamStatus = upstreamStatus
        self.error = error
    }
}
