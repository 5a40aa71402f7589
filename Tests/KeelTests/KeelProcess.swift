import AsyncHTTPClient
import Foundation
import KeelCore
import NIOCore
import NIOHTTP1
import Testing

/// A real `keel serve` process, the executable built beside the test bundle, called over loopback.
struct KeelProcess {
    /// The key a call sends unless told another.
    static let adminSecret = "sk-keel-process-admin-0123456789abcdef"

    /// The `keel` executable built beside the test bundle.
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("keel")
    }

    let process: Process
    let base: String

    /// An answer: its status, headers and JSON body (`.null` when not JSON).
    struct Answer {
        var status: Int
        var headers: HTTPHeaders
        var json: JSONValue

        /// Whether Keel answered from an earlier answer to the same `Idempotency-Key`.
        var replayed: Bool { headers["idempotent-replayed"] == ["true"] }
    }

    /// Starts `keel serve --config config --port port`, with `KEEL_PROCESS_ADMIN` holding ``adminSecret`` beside
    /// `environment`, and waits until `/healthz` on `port` answers; what it prints goes to `output` when given.
    static func start(config: String, port: Int, environment: [String: String] = [:], output: String? = nil) async throws -> KeelProcess {
        try #require(FileManager.default.isExecutableFile(atPath: executable.path), "build the keel executable first (swift build)")
        let process = Process()
        process.executableURL = executable
        process.arguments = ["serve", "--config", config, "--port", String(port)]
        process.environment = ProcessInfo.processInfo.environment.merging(environment.merging(["KEEL_PROCESS_ADMIN": adminSecret]) { $1 }) { $1 }
        if let output {
            _ = FileManager.default.createFile(atPath: output, contents: nil)
            let file = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
            process.standardOutput = file
            process.standardError = file
        }
        try process.run()
        let server = KeelProcess(process: process, base: "http://127.0.0.1:\(port)")
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline, process.isRunning {
            if (try? await server.call("GET", "/healthz"))?.status == 200 { return server }
            try await Task.sleep(for: .milliseconds(100))
        }
        process.terminate()
        throw KeelError(.internalError, "keel serve did not start")
    }

    func call(
        _ method: String,
        _ path: String,
        body: String? = nil,
        key: String = adminSecret,
        headers: [String: String] = [:]
    ) async throws
        -> Answer
    {
        var request = HTTPClientRequest(url: base + path)
        request.method = HTTPMethod(rawValue: method)
        request.headers.add(name: "authorization", value: "Bearer \(key)")
        request.headers.add(name: "content-type", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return Answer(status: Int(response.status.code), headers: response.headers, json: (try? JSONParser.parse(bytes.readableBytesView)) ?? .null)
    }

    /// A chat request to `route` saying `content`, as a step of `workflow` when given.
    func chat(
        _ content: String,
        route: String = "chat",
        key: String = adminSecret,
        workflow: String? = nil,
        idempotencyKey: String? = nil
    )
        async throws -> Answer
    {
        var headers: [String: String] = [:]
        if let workflow { headers["x-keel-workflow-id"] = workflow }
        if let idempotencyKey { headers["idempotency-key"] = idempotencyKey }
        let body: JSONValue = ["model": .string(route), "max_tokens": 8, "messages": [["role": "user", "content": .string(content)]]]
        return try await call("POST", "/v1/chat/completions", body: body.jsonString, key: key, headers: headers)
    }

    /// The statuses of `workflow`'s steps, in order.
    func stepStatuses(_ workflow: String) async throws -> [String] {
        let steps = try await call("GET", "/api/workflows/\(workflow)").json.objectValue?["steps"]?.arrayValue ?? []
        return steps.map { $0.objectValue?["status"]?.stringValue ?? "?" }
    }

    /// Runs `keel ARGUMENTS` to its end: its exit status, standard output and standard error.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        // Standard error goes to a file, so that neither stream fills its pipe while the other is read.
        let errorsFile = FileManager.default.temporaryDirectory.appendingPathComponent("keel-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errorsFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorsFile) }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errorsFile)
        try process.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, printed, try String(contentsOf: errorsFile, encoding: .utf8))
    }

    /// Kills the process with SIGKILL: no drain, no goodbye.
    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Stops the process as an orchestrator does, with SIGTERM, and waits for it to exit.
    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}

/// A free-looking loopback port for a server a test starts.
func randomPort() -> Int { Int.random(in: 20_000..<40_000) }
