import Foundation
import KeelApp
import KeelCore
import KeelStore
import NIOHTTP1
import Synchronization
import Testing

/// The must-hold: `keel eval run` killed with SIGKILL half-way and resumed finishes with
/// exactly one answered upstream call per case, and no case that had its result is asked again.
@Suite struct EvaluationResumeTests {
    /// The upstream's side: which tickets it answered, and whether it still answers.
    final class Upstream: Sendable {
        struct State {
            var answered: [String: Int] = [:]
            /// Answers this many calls, then lets every call hang until it is raised.
            var answering = 10
        }

        let state = Mutex(State())

        func reply(_ request: ScriptedHTTPServer.Request) -> ScriptedHTTPServer.Reply {
            let ticket = EvaluationTests.Asked(request).ticket ?? "?"
            let answers = state.withLock { state -> Bool in
                guard state.answered.values.reduce(0, +) < state.answering else { return false }
                state.answered[ticket, default: 0] += 1
                return true
            }
            return answers ? EvaluationTests.script(request) : .silence
        }
    }

    @Test func aRunKilledHalfWayResumesWithOneAnsweredCallPerCase() async throws {
        let keel = KeelProcess.executable
        try #require(FileManager.default.isExecutableFile(atPath: keel.path), "build the keel executable first (swift build)")
        let counts = Upstream()
        let upstream = try await ScriptedHTTPServer { counts.reply($0) }
        defer { Task { try? await upstream.stop() } }
        try await withTemporaryDirectory { directory in
            try await TestBackend.gateway.withConfiguration { storage in
                let (storageYAML, environment) = storage.processSettings
                let config = "\(directory)/keel.yaml"
                try EvaluationTests.yaml(storage: storageYAML, upstreamPort: upstream.port).write(toFile: config, atomically: true, encoding: .utf8)
                try await KeelStorage.with(storage, logger: TestBackend.quiet) { storage in
                    _ = try await Gateway.promptRegistry(storage).push(EvaluationTests.prompt(version: 1), team: nil, by: "test")
                    _ = try await storage.datasets.push(EvaluationTests.cases, as: RegistryName(team: nil, name: "tickets"), by: "test", at: Date())
                }

                func keelProcess(_ arguments: [String]) throws -> Process {
                    let process = Process()
                    process.executableURL = keel
                    process.arguments = ["eval", "run", "--config", config, "--quiet"] + arguments
                    process.environment = environment
                    process.standardOutput = FileHandle.nullDevice
                    process.standardError = FileHandle.nullDevice
                    try process.run()
                    return process
                }

                let first = try keelProcess(["--prompt", "triage@1", "--route", "triage", "--concurrency", "4"])
                let (run, before) = try await KeelStorage.with(storage, logger: TestBackend.quiet) { storage in
                    let deadline = ContinuousClock.now + .seconds(60)
                    while ContinuousClock.now < deadline {
                        if let run = try await storage.evaluations.runs(in: .all, prompt: nil, limit: 1).first {
                            let results = try await storage.evaluations.results(of: run.id)
                            if results.count >= 10 { return (run, results) }
                        }
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    throw KeelError(.internalError, "the run did not get half-way")
                }
                #expect(first.isRunning, "four calls hang upstream: the run is half-way, not finished")
                // The four calls that hang may still be on their way upstream (a busy machine): wait for them.
                let inFlight = ContinuousClock.now + .seconds(10)
                while upstream.requests.count < 14, ContinuousClock.now < inFlight { try await Task.sleep(for: .milliseconds(20)) }
                kill(first.processIdentifier, SIGKILL)
                first.waitUntilExit()
                #expect(first.terminationReason == .uncaughtSignal)
                #expect(before.count == 10)
                let hanging = upstream.requests.count - 10
                #expect(hanging == 4, "the calls in flight when it was killed, never answered")

                counts.state.withLock { $0.answering = .max }
                let second = try keelProcess(["--resume", run.id])
                second.waitUntilExit()
                #expect(second.terminationStatus == 0)

                let (after, finished) = try await KeelStorage.with(storage, logger: TestBackend.quiet) { storage in
                    (try await storage.evaluations.results(of: run.id), try await storage.evaluations.run(id: run.id)?.finishedAt)
                }
                #expect(after.count == 20 && Set(after.map(\.caseID)).count == 20 && finished != nil)
                #expect(Array(after.prefix(10)) == before, "the results stored before the kill stand")
                let answered = counts.state.withLock { $0.answered }
                #expect(answered.count == 20 && answered.values.allSatisfy { $0 == 1 }, "exactly one answered call per case: \(answered)")
                let received = Dictionary(grouping: upstream.requests) { EvaluationTests.Asked($0).ticket ?? "?" }
                for result in before { #expect(received[result.caseID]?.count == 1, "\(result.caseID) was not asked again") }
                #expect(upstream.requests.count == 24, "the twenty cases, and the four cut off by the kill asked again")
            }
        }
    }
}
