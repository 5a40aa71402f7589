import NIOCore
import NIOPosix
import Synchronization

/// A bare TCP connection to a server under test, to send bytes no HTTP client would and to see
/// exactly what comes back and when the server closes.
final class RawConnection: Sendable {
    /// What the server sent, shared with the task reading it.
    private final class Received: Sendable {
        let state = Mutex((text: "", closed: false))
    }

    private let received = Received()
    private let outgoing: AsyncStream<String>.Continuation
    private let session: Task<Void, Never>

    init(port: Int) async throws {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let (sends, outgoing) = AsyncStream.makeStream(of: String.self)
        self.outgoing = outgoing
        let received = self.received
        self.session = Task {
            try? await channel.executeThenClose { inbound, outbound in
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await text in sends { try? await outbound.write(ByteBuffer(string: text)) }
                    }
                    do {
                        for try await part in inbound { received.state.withLock { $0.text += String(buffer: part) } }
                    } catch {}
                    received.state.withLock { $0.closed = true }
                    group.cancelAll()
                }
            }
        }
    }

    /// Sends `text` (in order with earlier sends).
    func send(_ text: String) {
        outgoing.yield(text)
    }

    /// What the server has sent so far, waiting up to `patience` for it to close the connection.
    func read(within patience: Duration) async throws -> (text: String, closed: Bool) {
        let deadline = ContinuousClock.now + patience
        while ContinuousClock.now < deadline, !received.state.withLock({ $0.closed }) {
            try await Task.sleep(for: .milliseconds(10))
        }
        return received.state.withLock { $0 }
    }

    /// Whether the server closed the connection within `patience`.
    func closes(within patience: Duration) async throws -> Bool {
        try await read(within: patience).closed
    }

    func close() async {
        outgoing.finish()
        session.cancel()
        await session.value
    }
}

extension RawConnection {
    /// `GET path` on a connection of its own (which the server then closes): the whole answer.
    static func get(_ path: String, port: Int, key: String? = nil) async throws -> String {
        let connection = try await RawConnection(port: port)
        let authorization = key.map { "Authorization: Bearer \($0)\r\n" } ?? ""
        connection.send("GET \(path) HTTP/1.1\r\nHost: keel\r\n\(authorization)Connection: close\r\n\r\n")
        let (text, _) = try await connection.read(within: .seconds(5))
        await connection.close()
        return text
    }
}
