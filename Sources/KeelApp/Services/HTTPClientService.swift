import AsyncHTTPClient
import KeelCore
import KeelProviders
import NIOCore
import ServiceLifecycle

/// Owns the HTTP clients that upstreams and alerts share: runs until shutdown, then closes their connections.
struct HTTPClientService: Service {
    let upstreams: UpstreamHTTPClient

    /// The clients of a gateway: AsyncHTTPClient with many connections per host, no redirects and no
    /// spans of its own, and Keel's pooled connections for plain-HTTP upstreams beside it.
    /// AsyncHTTPClient bounds connecting and the silence between reads for all its upstreams at
    /// once, so it takes the most lenient of the providers' settings; Keel's own connections
    /// apply each provider's own.
    static func makeClient(for providers: [KeelConfiguration.Provider] = []) -> UpstreamHTTPClient {
        var configuration = HTTPClient.Configuration()
        let limits = providers.map(\.limits)
        configuration.timeout = .init(
            connect: .nanoseconds((limits.map(\.connectTimeout).max() ?? UpstreamLimits().connectTimeout).nanoseconds),
            read: .nanoseconds((limits.map(\.idleTimeout).max() ?? UpstreamLimits().idleTimeout).nanoseconds)
        )
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60),
            concurrentHTTP1ConnectionsPerHostSoftLimit: limits.map(\.maximumConnections).max() ?? UpstreamLimits().maximumConnections
        )
        configuration.redirectConfiguration = .disallow
        // Keel traces every upstream attempt itself, from the request's record; the client's own
        // span would duplicate it and costs every call its attributes even with no tracer set up.
        configuration.tracing.tracer = nil
        return UpstreamHTTPClient(client: HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration))
    }

    func run() async throws {
        try? await gracefulShutdown()
        await upstreams.shutdown()
        try await upstreams.client.shutdown()
    }
}
