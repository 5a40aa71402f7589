import AsyncHTTPClient
import NIOCore
import ServiceLifecycle

/// Owns the HTTP client that upstreams share: runs until shutdown, then closes its connections.
struct HTTPClientService: Service {
    let client: HTTPClient

    /// A client tuned for a gateway: many connections per upstream host, no redirects, no spans of its own.
    static func makeClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 512)
        configuration.redirectConfiguration = .disallow
        // Keel traces every upstream attempt itself, from the request's record; the client's own
        // span would duplicate it and costs every call its attributes even with no tracer set up.
        configuration.tracing.tracer = nil
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}
