import AsyncHTTPClient
import Foundation
import KeelCore
import NIOCore
import NIOHTTP1
import NIOPosix

/// Sends JSON to a provider and classifies every way that can fail as an ``UpstreamError``:
/// statuses, timeouts, refused connections, unreadable bodies.
struct UpstreamTransport: Sendable {
    let client: UpstreamHTTPClient
    /// The API root.
    let baseURL: UpstreamURL
    let timeout: Duration
    /// The largest non-streamed response body read.
    let maximumBodySize = 32 * 1024 * 1024

    init(endpoint: HTTPEndpoint) {
        self.client = endpoint.client
        self.baseURL = UpstreamURL(endpoint.baseURL)
        self.timeout = endpoint.timeout
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
                timeout: timeout
            )
        } catch {
            throw Self.classify(error)
        }
        guard (200..<300).contains(response.status) else {
            throw await failure(of: response)
        }
        return response
    }

    /// POSTs `body` and reads the whole JSON response.
    func postJSON(_ path: String, headers: [(String, String)], body: JSONValue) async throws -> JSONValue {
        let response = try await post(path, headers: headers, body: body)
        let buffer: ByteBuffer
        do {
            buffer = try await response.body.collect(upTo: maximumBodySize)
        } catch {
            throw Self.classify(error)
        }
        do {
            return try JSONParser.parse(buffer.readableBytesView)
        } catch {
            throw UpstreamError(.badResponse, "the response is not JSON: \(error)", status: response.status)
        }
    }

    /// The error for a non-success response, with the provider's own message when it gave one.
    private func failure(of response: UpstreamHTTPResponse) async -> UpstreamError {
        let status = response.status
        let body = try? await response.body.collect(upTo: 64 * 1024)
        let message = body.flatMap { Self.errorMessage(in: $0) } ?? "HTTP \(status)"
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

extension UpstreamHTTPResponse.Body {
    /// The body's server-sent events, as they arrive.
    func serverSentEvents() -> ServerSentEventSequence { ServerSentEventSequence(body: self) }
}

/// The events of a streamed response body; transport failures are thrown as ``UpstreamError``.
struct ServerSentEventSequence: AsyncSequence, Sendable {
    let body: UpstreamHTTPResponse.Body

    struct AsyncIterator: AsyncIteratorProtocol {
        var body: UpstreamHTTPResponse.Body.AsyncIterator
        var parser = ServerSentEventParser()
        var pending: [ServerSentEvent] = []
        var ended = false

        mutating func next() async throws -> ServerSentEvent? {
            while pending.isEmpty {
                guard !ended else { return nil }
                let buffer: ByteBuffer?
                do {
                    buffer = try await body.next()
                } catch {
                    let classified = UpstreamTransport.classify(error)
                    if classified is CancellationError { throw classified }
                    throw UpstreamError(.streamInterrupted, "the stream broke: \(error)")
                }
                if let buffer {
                    pending = parser.feed(buffer.readableBytesView)
                } else {
                    ended = true
                    if let last = parser.finish() { pending = [last] }
                }
            }
            return pending.removeFirst()
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(body: body.makeAsyncIterator()) }
}
