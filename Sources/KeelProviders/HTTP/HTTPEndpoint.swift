import KeelCore

/// Where an HTTP provider lives and how Keel reaches it.
public struct HTTPEndpoint: Sendable {
    /// The provider's name in configuration, which names its limits in `keel_limit_exceeded_total`.
    public var name: String
    /// The API root with its version path (`https://api.openai.com/v1`, `http://localhost:11434/v1`).
    public var baseURL: String
    /// The provider's own key; never the client's Keel key.
    public var apiKey: String?
    public var client: UpstreamHTTPClient
    public var limits: UpstreamLimits
    /// Where a tripped limit is counted.
    public var trips: LimitTrips

    public init(
        name: String,
        baseURL: String,
        apiKey: String?,
        client: UpstreamHTTPClient,
        limits: UpstreamLimits = UpstreamLimits(),
        trips: LimitTrips = LimitTrips()
    ) {
        self.name = name
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.client = client
        self.limits = limits
        self.trips = trips
    }
}
