import ArgumentParser
import Hummingbird
import KeelApp
import KeelProviders
import Logging

struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the simulated upstream alone, as an OpenAI-compatible server with no keys."
    )

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 9090
    @Option(help: "Seed of the simulator's random choices.") var seed: UInt64 = 42
    @Option(help: "Median latency in milliseconds (0 answers at once).") var p50: Double = 0
    @Option(help: "99th-percentile latency in milliseconds.") var p99: Double?
    @Option(help: "Streaming speed; 0 sends every token at once.") var tokensPerSecond: Double = 0
    @Option(help: "Words in each answer.") var outputTokens = 16
    @Option(help: "Share of requests answered 429.") var rateLimit: Double = 0
    @Option(help: "Share of requests answered 500.") var serverError: Double = 0
    @Option(help: "Share of requests answered 503.") var unavailable: Double = 0
    @Option(help: "Share of streams cut half-way.") var streamCut: Double = 0

    func run() async throws {
        let profile = SimulationProfile(
            seed: seed,
            latencyP50: .microseconds(Int64(p50 * 1000)),
            latencyP99: .microseconds(Int64((p99 ?? p50) * 1000)),
            tokensPerSecond: tokensPerSecond > 0 ? tokensPerSecond : nil,
            outputTokens: outputTokens...outputTokens,
            rateLimitRate: rateLimit,
            serverErrorRate: serverError,
            unavailableRate: unavailable,
            streamCutRate: streamCut
        )
        let app = Gateway.buildSimulator(profile: profile, host: host, port: port, logger: makeLogger(label: "keel.simulate", level: .warning))
        print("Simulated upstream on http://\(host):\(port)/v1")
        try await app.runService()
    }
}
