import Foundation
import HTTPTypes
import HummingbirdTesting
import KeelCore
import NIOCore
import Testing

/// The connection guard on a real server: bare sockets that idle, drip headers, flood it, or send
/// what is not HTTP, while well-behaved requests still succeed.
@Suite struct ConnectionGuardTests {
    static let healthz = "GET /healthz HTTP/1.1\r\nHost: keel\r\n\r\n"

    func gateway(_ server: String) -> TestGateway {
        var gateway = TestGateway()
        gateway.serverYAML = server
        return gateway
    }

    @Test func anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout() async throws {
        try await gateway("idle_timeout_seconds: 0.5, header_timeout_seconds: 5").test(.live) { client in
            let connection = try await RawConnection(port: try #require(client.port))
            connection.send(Self.healthz)
            let started = ContinuousClock.now
            let (text, closed) = try await connection.read(within: .seconds(5))
            #expect(text.hasPrefix("HTTP/1.1 200") && text.hasSuffix("ok"), "\(text)")
            #expect(closed)
            let waited = ContinuousClock.now - started
            #expect(waited >= .milliseconds(450) && waited < .seconds(3), "\(waited)")
            let metrics = try await client.metrics()
            #expect(metrics.contains(#"keel_limit_exceeded_total{limit="server.idle_timeout_seconds"} 1"#), "\(metrics)")
            await connection.close()
        }
    }

    @Test func aClientDrippingItsHeadersIsCutOffAtTheHeaderTimeout() async throws {
        try await gateway("idle_timeout_seconds: 30, header_timeout_seconds: 1.5").test(.live) { client in
            let connection = try await RawConnection(port: try #require(client.port))
            let started = ContinuousClock.now
            for piece in ["GET /hea", "lthz HTTP/1.1\r\n", "Host: k", "eel\r\n", "Accept: *"] {
                connection.send(piece)
                try await Task.sleep(for: .milliseconds(500))
            }
            let closed = try await connection.closes(within: .seconds(3))
            #expect(closed)
            #expect(ContinuousClock.now - started < .seconds(6), "cut off at the header timeout, not at the idle one (30 s)")
            let answer = try await connection.read(within: .zero).text
            #expect(answer.isEmpty, "a request never read whole gets no answer")
            await connection.close()
            let health = try await RawConnection.get("/healthz", port: try #require(client.port))
            #expect(health.hasPrefix("HTTP/1.1 200"), "a new connection is served")
        }
    }

    @Test func atTheConnectionLimitTheLongestIdleMakeRoomAndHealthyClientsAreServed() async throws {
        try await gateway("max_connections: 4, idle_timeout_seconds: 30, header_timeout_seconds: 30").test(.live) { client in
            let port = try #require(client.port)
            var idle: [RawConnection] = []
            for _ in 0..<6 {
                idle.append(try await RawConnection(port: port))
                try await Task.sleep(for: .milliseconds(20))
            }
            // The two oldest made room for the last two.
            let oldestClosed = try await idle[0].closes(within: .seconds(2))
            let nextClosed = try await idle[1].closes(within: .seconds(2))
            let newestClosed = try await idle[5].closes(within: .milliseconds(100))
            #expect(oldestClosed && nextClosed && !newestClosed)
            for _ in 0..<3 {
                let healthy = try await RawConnection(port: port)
                healthy.send("GET /healthz HTTP/1.1\r\nHost: keel\r\nConnection: close\r\n\r\n")
                let (text, closed) = try await healthy.read(within: .seconds(3))
                #expect(text.hasPrefix("HTTP/1.1 200") && closed, "\(text)")
                await healthy.close()
            }
            // The test client's own idle keep-alive connection may have made room too, so metrics come on a new one.
            let metrics = try await RawConnection.get("/metrics", port: port, key: TestGateway.adminKey)
            #expect(metrics.contains("keel_connections_limit 4.0"), "\(metrics)")
            #expect(metrics.contains(#"keel_limit_exceeded_total{limit="server.max_connections"}"#))
            for connection in idle { await connection.close() }
        }
    }

    @Test func aRequestInFlightIsNeverShedForRoom() async throws {
        var slow = gateway("max_connections: 2, idle_timeout_seconds: 30, header_timeout_seconds: 30")
        slow.providerYAML = """
              sim:
                type: simulated
                latency: { p50_ms: 600, p99_ms: 600 }
                tokens_per_second: 0
            """
        try await slow.test(.live) { client in
            let port = try #require(client.port)
            let busy = try await RawConnection(port: port)
            busy.send(
                "POST /v1/chat/completions HTTP/1.1\r\nHost: keel\r\nAuthorization: Bearer \(TestGateway.appKey)\r\n"
                    + "Content-Type: application/json\r\nContent-Length: \(goodChat.utf8.count)\r\nConnection: close\r\n\r\n\(goodChat)"
            )
            try await Task.sleep(for: .milliseconds(100))
            var others: [RawConnection] = []
            for _ in 0..<3 { others.append(try await RawConnection(port: port)) }
            let (text, _) = try await busy.read(within: .seconds(5))
            #expect(text.hasPrefix("HTTP/1.1 200"), "the busy connection kept its request: \(text)")
            for connection in others { await connection.close() }
            await busy.close()
        }
    }

    @Test func aRequestThatIsNotHTTPGetsAnOpenAIErrorAndTheConnectionCloses() async throws {
        try await TestGateway().test(.live) { client in
            let port = try #require(client.port)
            for garbage in ["NOT HTTP AT ALL\r\n\r\n", "GET / HTTP/1.1\r\nHost keel\r\n\r\n", "\u{1}\u{2}\u{3}\r\n\r\n"] {
                let connection = try await RawConnection(port: port)
                connection.send(garbage)
                let (text, closed) = try await connection.read(within: .seconds(3))
                #expect(text.hasPrefix("HTTP/1.1 400") && closed, "\(text.debugDescription)")
                let body = try #require(text.components(separatedBy: "\r\n\r\n").last)
                #expect(try JSONParser.parse(body).objectValue?["error"]?.objectValue?["code"] == "invalid_request", "\(body)")
                await connection.close()
            }
            let health = try await client.get("/healthz", key: nil)
            #expect(health.status == .ok)
        }
    }

    @Test func aBodyWithAnInvalidChunkSizeIsABadRequestNotAServerError() async throws {
        try await TestGateway().test(.live) { client in
            let connection = try await RawConnection(port: try #require(client.port))
            connection.send(
                "POST /v1/chat/completions HTTP/1.1\r\nHost: keel\r\nAuthorization: Bearer \(TestGateway.appKey)\r\n"
                    + "Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nZZ\r\n{}\r\n"
            )
            let (text, closed) = try await connection.read(within: .seconds(3))
            #expect(text.hasPrefix("HTTP/1.1 400") && closed, "\(text)")
            #expect(text.contains(#""code":"invalid_request""#) && text.lowercased().contains("connection: close"))
            await connection.close()
        }
    }

    @Test func anHTTP10RequestWithoutKeepAliveIsAnsweredAndClosed() async throws {
        try await TestGateway().test(.live) { client in
            let connection = try await RawConnection(port: try #require(client.port))
            connection.send("GET /healthz HTTP/1.0\r\n\r\n")
            let started = ContinuousClock.now
            let (text, closed) = try await connection.read(within: .seconds(5))
            #expect(text.hasSuffix("ok") && closed && ContinuousClock.now - started < .seconds(1), "\(text)")
            await connection.close()
        }
    }
}
