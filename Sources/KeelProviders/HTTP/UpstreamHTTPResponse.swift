import AsyncHTTPClient
import KeelCore
import NIOCore
import NIOHTTP1

/// An upstream's answer once its head has arrived; the body follows as it comes.
struct UpstreamHTTPResponse: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: Body

    /// The body's bytes, from whichever client carried the request.
    enum Body: AsyncSequence, Sendable {
        /// From Keel's own pooled HTTP/1.1 connections.
        case pooled(AsyncThrowingStream<ByteBuffer, any Error>)
        /// From AsyncHTTPClient.
        case client(HTTPClientResponse.Body)

        enum AsyncIterator: AsyncIteratorProtocol {
            case pooled(AsyncThrowingStream<ByteBuffer, any Error>.AsyncIterator)
            case client(HTTPClientResponse.Body.AsyncIterator)

            mutating func next() async throws -> ByteBuffer? {
                switch self {
                case .pooled(var iterator):
                    defer { self = .pooled(iterator) }
                    return try await iterator.next()
                case .client(var iterator):
                    defer { self = .client(iterator) }
                    return try await iterator.next()
                }
            }
        }

        func makeAsyncIterator() -> AsyncIterator {
            switch self {
            case .pooled(let stream): .pooled(stream.makeAsyncIterator())
            case .client(let body): .client(body.makeAsyncIterator())
            }
        }

        /// The whole body; `nil`, reading no further, once it passes `maximum` bytes.
        func collect(upTo maximum: Int) async throws -> ByteBuffer? {
            var collected = ByteBuffer()
            for try await var part in self {
                guard collected.readableBytes + part.readableBytes <= maximum else { return nil }
                collected.writeBuffer(&part)
            }
            return collected
        }
    }
}
