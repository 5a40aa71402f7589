/// Where an HTTP provider lives and how Keel reaches it.
public struct HTTPEndpoint: Sendable {
    /// The API root with its version path (`https://api.openai.com/v1`, `http://localhost:11434/v1`).
    public var baseURL: String
    /// The provider's own key; never the client's Keel key.
    public var apiKey: String?
    public var client: UpstreamHTTPClient
    /// The longest a call may take.
    public var timeout: Duration

    public init(baseURL: String, apiKey: String?, client: UpstreamHTTPClient, timeout: Duration) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.client = client
        self.timeout = timeout
    }
}
