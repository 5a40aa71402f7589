import AsyncHTTPClient
import Foundation
import KeelCore
import NIOCore
import NIOHTTP1
import NIOPosix

/// The HTTP client every provider shares. Upstreams reached over plain HTTP (a vLLM, Ollama or
/// llama.cpp server beside Keel, the simulator) go over Keel's own pooled HTTP/1.1 connections, which
/// answer on the event loop the request already runs on; TLS upstreams go over AsyncHTTPClient.
public final class UpstreamHTTPClient: Sendable {
    /// The client for TLS upstreams (and, in Keel, for alert webhooks).
    public let client: HTTPClient
    private let plain: PlainHTTPClient

    /// - Parameters:
    ///   - client: the AsyncHTTPClient that TLS upstreams use; the caller shuts it down.
    ///   - group: the event loops of the plain-HTTP connections; NIO's shared ones by default.
    public init(client: HTTPClient, group: MultiThreadedEventLoopGroup = .singleton) {
        self.client = client
        self.plain = PlainHTTPClient(group: group)
    }

    /// Closes the plain-HTTP connections; requests still running fail.
    public func shutdown() async {
        await plain.shutdown()
    }

    /// POSTs `body` to `url` and returns once the response's head has arrived; the body must then
    /// arrive within the same attempt's time (`limits.timeout`). Keel's own connections also bound
    /// the silence between two reads (`limits.idleTimeout`) and the time to connect; for TLS
    /// upstreams AsyncHTTPClient's configuration bounds those (see `HTTPClientService`).
    func post(_ url: UpstreamURL, headers: HTTPHeaders, body: ByteBuffer, limits: UpstreamLimits) async throws -> UpstreamHTTPResponse {
        switch url {
        case .plain(let origin, let path):
            return try await plain.post(PlainHTTPRequest(origin: origin, path: path, headers: headers, body: body), limits: limits)
        case .other(let url):
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers = headers
            request.body = .bytes(body)
            let response = try await client.execute(request, timeout: .nanoseconds(limits.timeout.nanoseconds))
            return UpstreamHTTPResponse(status: Int(response.status.code), headers: response.headers, body: .client(response.body))
        }
    }
}

/// An upstream address, sorted once by the client that will carry it.
enum UpstreamURL: Sendable, Equatable {
    /// `http://host:port/path`: Keel's pooled connections.
    case plain(PlainHTTPOrigin, path: String)
    /// Anything else (TLS, a Unix socket): AsyncHTTPClient.
    case other(String)

    init(_ url: String) {
        guard let components = URLComponents(string: url), components.scheme?.lowercased() == "http", let host = components.host, !host.isEmpty,
            components.user == nil, components.query == nil
        else {
            self = .other(url)
            return
        }
        // An IPv6 address comes in brackets, which a socket address does not take.
        let address = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        self = .plain(PlainHTTPOrigin(host: address, port: components.port ?? 80), path: components.percentEncodedPath)
    }

    /// This address with `path` appended after a slash.
    func appending(_ path: String) -> UpstreamURL {
        switch self {
        case .plain(let origin, let base): .plain(origin, path: "\(base.hasSuffix("/") ? String(base.dropLast()) : base)/\(path)")
        case .other(let url): .other("\(url.hasSuffix("/") ? String(url.dropLast()) : url)/\(path)")
        }
    }
}
