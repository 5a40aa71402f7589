import AsyncHTTPClient
import Foundation
import KeelCore
import NIOCore
import NIOHTTP1
import NIOPosix

/// Sends JSON to a provider and classifies every way that can fail as an ``UpstreamError``:
/// statuses, timeouts, refused connections, unreadable or oversized bodies.
struct UpstreamTransport: Sendable {
    let client: UpstreamHTTPClient
    /// The API root.
    let baseURL: UpstreamURL
    let limits: UpstreamLimits
    /// The provider's name, for the limits it trips.
    let name: String
    let trips: LimitTrips

    init(endpoint: HTTPEndpoint) {
        self.client = endpoint.client
        self.baseURL = UpstreamURL(endpoint.baseURL)
        self.limits = endpoint.limits
        self.name = endpoint.name
        self.trips = endpoint.trips
    }

    /// POSTs `body` to `path` under the base URL and returns the response once its status is a success.
    func post(_ path: String, headers: [(String, String)], body: JSONValue) async throws -> UpstreamHTTPResponse {
        var requestHeaders: HTTPHeaders = ["content-type": "application/json"]
        requestHeaders.add(contentsOf: headers)
        let response: UpstreamHTTPResponse
        do {
            response = try await client.post(
                baseURL.appending(path),
                headers: requestHeaders,
                body: ByteBuffer(bytes: body.serialized()),
                limits: limits
            )
        } catch {
            throw classify(error)
        }
        guard (200..<300).contains(response.status) else {
            throw await failure(of: response)
        }
        return response
    }

    /// POSTs `body` and reads the whole JSON response, up to `max_response_bytes`.
    func postJSON(_ path: String, headers: [(String, String)], body: JSONValue) async throws -> JSONValue {
        let response = try await post(path, headers: headers, body: body)
        let buffer: ByteBuffer?
        do {
            buffer = try await response.body.collect(upTo: limits.maximumResponseBytes)
        } catch {
            throw classify(error)
        }
        guard let buffer else {
            throw tripped("max_response_bytes", "the answer is larger than \(limits.maximumResponseBytes) bytes")
        }
        do {
            return try JSONParser.parse(buffer.readableBytesView)
        } catch {
            throw UpstreamError(.badResponse, "the response is not JSON: \(error)", status: response.status)
        }
    }

    /// The server-sent events of a streamed response, each line within `max_line_bytes` and the
    /// whole within `max_stream_bytes`.
    func events(of response: UpstreamHTTPResponse) -> ServerSentEventSequence {
        ServerSentEventSequence(body: response.body, transport: self)
    }

    /// Counts a tripped limit of this provider and returns the failure to throw for it.
    func tripped(_ setting: String, _ message: String) -> UpstreamError {
        trips.record("providers.\(name).\(setting)")
        return UpstreamError(.badResponse, "\(message) (providers.\(name).\(setting))")
    }

    /// The error for a non-success response, with the provider's own message when it gave one.
    private func failure(of response: UpstreamHTTPResponse) async -> UpstreamError {
        let status = response.status
        let body = try? await response.body.collect(upTo: UpstreamLimits.maximumErrorBytes)
        let message = body.flatMap(Self.errorMessage(in:)) ?? "HTTP \(status)"
        let retryAfter = response.headers.first(name: "retry-after").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let kind: UpstreamError.Kind =
            switch status {
            case 429: .rateLimited
            case 400, 409, 413, 422: .rejected
            case 401, 403, 404, 405: .misconfigured
            case 503, 529: .unavailable
            case 504: .timeout
            default: .serverError
            }
        return UpstreamError(kind, message, status: status, retryAfter: retryAfter)
    }

    /// `error.message` of an OpenAI or Anthropic error body.
    private static func errorMessage(in body: ByteBuffer) -> String? {
        guard let json = try? JSONParser.parse(body.readableBytesView) else { return nil }
        return json.objectValue?["error"]?.objectValue?["message"]?.stringValue
    }

    /// Classifies a transport failure; cancellation stays cancellation.
    func classify(_ error: any Error) -> any Error { Self.classify(error) }

    /// Classifies a transport failure; cancellation stays cancellation.
    static func classify(_ error: any Error) -> any Error {
        if error is UpstreamError || error is CancellationError { return error }
        if let error = error as? HTTPClientError {
            switch error {
            case .cancelled: return CancellationError()
            case .deadlineExceeded, .readTimeout, .writeTimeout: return UpstreamError(.timeout, "no answer in time")
            case .connectTimeout, .getConnectionFromPoolTimeout: return UpstreamError(.unavailable, "could not connect in time")
            case .remoteConnectionClosed: return UpstreamError(.serverError, "the upstream closed the connection")
            default: return UpstreamError(.serverError, "\(error)")
            }
        }
        if error is NIOConnectionError || error is ChannelError || error is IOError {
            return UpstreamError(.unavailable, "could not connect: \(error)")
        }
        return UpstreamError(.serverError, "\(error)")
    }
}

/// The events of a streamed response body; transport failures are thrown as ``UpstreamError``,
/// and a line or a stream over its provider's bounds fails as `bad_response`.
struct ServerSentEventSequence: AsyncSequence, Sendable {
    let body: UpstreamHTTPResponse.Body
    let transport: UpstreamTransport

    struct AsyncIterator: AsyncIteratorProtocol {
        var body: UpstreamHTTPResponse.Body.AsyncIterator
        let transport: UpstreamTransport
        var parser: ServerSentEventParser
        var pending: [ServerSentEvent] = []
        var received = 0
        var ended = false

        mutating func next() async throws -> ServerSentEvent? {
            while pending.isEmpty {
                guard !ended else { return nil }
                let buffer: ByteBuffer?
                do {
                    buffer = try await body.next()
                } catch {
                    throw Self.interruption(error)
                }
                if let buffer {
                    received += buffer.readableBytes
                    guard received <= transport.limits.maximumStreamBytes else {
                        throw transport.tripped("max_stream_bytes", "the stream is longer than \(transport.limits.maximumStreamBytes) bytes")
                    }
                    guard let events = parser.feed(buffer.readableBytesView) else {
                        throw transport.tripped("max_line_bytes", "a line of the stream is longer than \(transport.limits.maximumLineBytes) bytes")
                    }
                    pending = events
                } else {
                    ended = true
                    if let last = parser.finish() { pending = [last] }
                }
            }
            return pending.removeFirst()
        }

        /// A failure while reading the stream: a timeout stays one, a broken connection is an interruption.
        private static func interruption(_ error: any Error) -> any Error {
            let classified = UpstreamTransport.classify(error)
            if classified is CancellationError { return classified }
            if let failure = classified as? UpstreamError, failure.kind == .timeout || failure.kind == .badResponse { return failure }
            return UpstreamError(.streamInterrupted, "the stream broke: \(error)")
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(
            body: body.makeAsyncIterator(),
            transport: transport,
            parser: ServerSentEventParser(maximumLineBytes: transport.limits.maximumLineBytes)
        )
    }
}
