/// A failed call to an upstream, classified so that policies (and the client's error) can act on it.
public struct UpstreamError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The upstream answered 429.
        case rateLimited = "rate_limited"
        /// The upstream answered 5xx (other than 503 and 504).
        case serverError = "server_error"
        /// The upstream answered 503, or could not be reached.
        case unavailable
        /// The call ran out of time.
        case timeout
        /// The upstream refused the request itself (4xx): the client's input is at fault.
        case rejected
        /// The upstream refused Keel's own credentials or configuration (401, 403, 404).
        case misconfigured
        /// The upstream answered something that is not a valid response.
        case badResponse = "bad_response"
        /// A stream ended before its end marker.
        case streamInterrupted = "stream_interrupted"
    }

    public let kind: Kind
    public let message: String
    /// The upstream's HTTP status, when it answered.
    public let status: Int?
    /// The upstream's `Retry-After`, in seconds.
    public let retryAfter: Int?

    public init(_ kind: Kind, _ message: String, status: Int? = nil, retryAfter: Int? = nil) {
        self.kind = kind
        self.message = message
        self.status = status
        self.retryAfter = retryAfter
    }

    public var description: String { "\(kind.rawValue)\(status.map { " (\($0))" } ?? ""): \(message)" }

    /// The error a client sees: an upstream 429 stays 429; the client's own mistakes stay 400;
    /// everything else is the gateway's 502, 503 or 504, with no upstream internals leaked.
    public var clientError: KeelError {
        switch kind {
        case .rateLimited:
            KeelError(.upstreamRateLimited, "The upstream provider is rate limiting requests; retry later.", retryAfter: retryAfter ?? 1)
        case .rejected: KeelError(.invalidRequest, "The upstream provider rejected the request: \(message)")
        case .unavailable: KeelError(.upstreamUnavailable, "The upstream provider is unavailable.", retryAfter: retryAfter)
        case .timeout: KeelError(.upstreamTimeout, "The upstream provider did not answer in time.")
        case .streamInterrupted: KeelError(.streamInterrupted, "The upstream stream ended before it was complete.")
        case .serverError, .badResponse, .misconfigured: KeelError(.upstreamError, "The upstream provider failed to answer the request.")
        }
    }
}
