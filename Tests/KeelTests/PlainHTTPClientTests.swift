import KeelCore
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import Testing

@testable import KeelProviders

/// Keel's pooled HTTP/1.1 client against a server on loopback that answers as each test scripts it.
@Suite struct PlainHTTPClientTests {
    /// One loop, so that every request of a test meets the same pool.
    static let loop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let client = PlainHTTPClient(group: Self.loop)

    func post(
        _ server: ScriptedHTTPServer,
        _ body: String = #"{"n":1}"#,
        timeout: Duration = .seconds(5),
        maximumConnections: Int = 512
    ) async throws -> (Int, String) {
        let request = PlainHTTPRequest(
            origin: PlainHTTPOrigin(host: "127.0.0.1", port: server.port),
            path: "/v1/chat/completions",
            headers: ["content-type": "application/json", "authorization": "Bearer sk-upstream"],
            body: ByteBuffer(string: body)
        )
        var limits = UpstreamLimits()
        limits.timeout = timeout
        limits.maximumConnections = maximumConnections
        let response = try await client.post(request, limits: limits)
        return (response.status, String(buffer: try #require(try await response.body.collect(upTo: 1 << 20))))
    }

    @Test func sequentialRequestsShareOneKeepAliveConnection() async throws {
        let server = try await ScriptedHTTPServer { request in .answer(status: .ok, body: "echo \(request.body)") }
        for index in 0..<20 {
            let (status, body) = try await post(server, #"{"n":\#(index)}"#)
            #expect(status == 200 && body == #"echo {"n":\#(index)}"#)
        }
        #expect(server.connections == 1)
        #expect(await client.openConnections() == 1)
        let first = try #require(server.requests.first)
        #expect(first.head.uri == "/v1/chat/completions" && first.head.method == .POST)
        #expect(first.head.headers["host"] == ["127.0.0.1:\(server.port)"])
        #expect(first.head.headers["content-length"] == ["7"])
        #expect(first.head.headers["authorization"] == ["Bearer sk-upstream"])
        await client.shutdown()
        try await server.stop()
    }

    @Test func aConnectionTheUpstreamClosesIsNotReused() async throws {
        let server = try await ScriptedHTTPServer { _ in .answer(status: .ok, body: "ok", keepAlive: false) }
        for _ in 0..<3 { #expect(try await post(server) == (200, "ok")) }
        #expect(server.connections == 3)
        await client.shutdown()
        try await server.stop()
    }

    @Test func anUnansweredRequestTimesOutAndItsConnectionIsDropped() async throws {
        let server = try await ScriptedHTTPServer { request in request.index == 0 ? .silence : .answer(status: .ok, body: "late but fine") }
        let started = ContinuousClock.now
        await #expect(throws: UpstreamError.self) { try await post(server, timeout: .milliseconds(200)) }
        #expect(ContinuousClock.now - started < .seconds(2))
        // The late answer of the first request must not be taken for the second's.
        #expect(try await post(server) == (200, "late but fine"))
        #expect(server.connections == 2)
        await client.shutdown()
        try await server.stop()
    }

    @Test func cancellingTheTaskClosesTheConnection() async throws {
        let server = try await ScriptedHTTPServer { _ in .silence }
        let call = Task { try await post(server) }
        try await server.waitForRequests(1)
        call.cancel()
        await #expect(throws: CancellationError.self) { try await call.value }
        try await server.waitForClosedConnections(1)
        await client.shutdown()
        try await server.stop()
    }

    @Test func aBodyCutOffMidWayIsAFailureNotAnEnd() async throws {
        let server = try await ScriptedHTTPServer { _ in .cutAfter(status: .ok, firstPart: "data: {\"partial\"") }
        let error = await #expect(throws: UpstreamError.self) { try await post(server) }
        #expect(error?.kind == .serverError && error?.message.contains("broke off") == true)
        await client.shutdown()
        try await server.stop()
    }

    @Test func requestsPastTheConnectionCapWaitForAConnectionAndAllAreAnswered() async throws {
        let server = try await ScriptedHTTPServer { request in
            .streamed(status: .ok, parts: ["answer ", "\(request.body)"], gap: .milliseconds(50))
        }
        let answers = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<8 {
                group.addTask { try await post(server, #"{"n":\#(index)}"#, maximumConnections: 2).1 }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(answers) == Set((0..<8).map { #"answer {"n":\#($0)}"# }))
        #expect(server.connections == 2, "never more than the cap")
        await client.shutdown()
        try await server.stop()
    }

    @Test func aReaderThatStopsEarlyDoesNotLeaveTheRestForTheNextRequest() async throws {
        let server = try await ScriptedHTTPServer { request in
            request.index == 0
                ? .streamed(status: .ok, parts: ["first ", "second ", "third"], gap: .seconds(1)) : .answer(status: .ok, body: "second request")
        }
        let request = PlainHTTPRequest(origin: PlainHTTPOrigin(host: "127.0.0.1", port: server.port), path: "/", headers: [:], body: ByteBuffer())
        do {
            let response = try await client.post(request, limits: UpstreamLimits())
            var parts = response.body.makeAsyncIterator()
            #expect(try await parts.next().map { String(buffer: $0) } == "first ")
        }
        #expect(try await post(server) == (200, "second request"))
        #expect(server.connections == 2, "the first connection still carried the rest of the first answer")
        await client.shutdown()
        try await server.stop()
    }

    @Test func aRefusedConnectionIsAnUnavailableUpstream() async throws {
        let server = try await ScriptedHTTPServer { _ in .silence }
        try await server.stop()
        for _ in 0..<3 {
            let error = await #expect(throws: UpstreamError.self) { try await post(server) }
            #expect(error?.kind == .unavailable)
        }
        #expect(await client.openConnections() == 0, "a connection that never opened is not kept")
        await client.shutdown()
    }

    @Test func anIdleConnectionTheUpstreamDroppedIsReplaced() async throws {
        let server = try await ScriptedHTTPServer { _ in .answer(status: .ok, body: "ok") }
        #expect(try await post(server) == (200, "ok"))
        server.closeIdleConnections()
        try await server.waitForClosedConnections(1)
        try await Task.sleep(for: .milliseconds(50))
        #expect(try await post(server) == (200, "ok"))
        #expect(server.connections == 2)
        await client.shutdown()
        try await server.stop()
    }

    @Test func addressesAreSortedByTheClientThatCarriesThem() {
        #expect(
            UpstreamURL("http://127.0.0.1:8000/v1").appending("chat/completions")
                == .plain(PlainHTTPOrigin(host: "127.0.0.1", port: 8000), path: "/v1/chat/completions")
        )
        #expect(UpstreamURL("http://ollama/v1/").appending("embeddings") == .plain(PlainHTTPOrigin(host: "ollama", port: 80), path: "/v1/embeddings"))
        #expect(UpstreamURL("https://api.openai.com/v1").appending("chat/completions") == .other("https://api.openai.com/v1/chat/completions"))
        #expect(
            UpstreamURL("HTTP://localhost:11434").appending("v1/models")
                == .plain(PlainHTTPOrigin(host: "localhost", port: 11434), path: "/v1/models")
        )
        guard case .plain(let origin, _) = UpstreamURL("http://[::1]:8000/v1") else {
            Issue.record("an IPv6 address is plain HTTP too")
            return
        }
        #expect(origin.host == "::1" && origin.hostHeader == "[::1]:8000")
        #expect(PlainHTTPOrigin(host: "vllm", port: 80).hostHeader == "vllm")
    }
}
