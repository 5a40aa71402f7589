import Foundation
import KeelCore
import KeelProviders
import KeelStore
import KeelTokenizer
import Logging
import Synchronization

/// Runs a ``RehearsalScenario``: builds the scenario's gateway with the same pipeline `keel serve`
/// runs, sends it the scenario's traffic in process, switches the simulated providers from phase to
/// phase, and gathers what happened into a ``RehearsalReport``.
public struct Rehearsal: Sendable {
    /// How far a rehearsal has got, for a progress bar.
    public struct Progress: Sendable {
        public var elapsed: Duration
        public var total: Duration
        public var phase: String
        public var phaseNumber: Int
        public var sent: Int
        public var finished: Int
        public var succeeded: Int
    }

    public let scenario: RehearsalScenario

    public init(scenario: RehearsalScenario) { self.scenario = scenario }

    /// Runs the scenario in real time; `progress` is called about four times a second.
    public func run(progress: @escaping @Sendable (Progress) -> Void = { _ in }) async throws -> RehearsalReport {
        let recorder = Recorder()
        let clock = KeelClock.system
        var upstreams: [String: SimulatedUpstream] = [:]
        for provider in scenario.gateway.providers { upstreams[provider.name] = SimulatedUpstream(profile: provider.simulation, clock: clock) }
        let health = UpstreamHealth(deployments: scenario.gateway.models, breaker: scenario.gateway.circuitBreaker, clock: clock) {
            deployment,
            transition in
            recorder.transitioned(deployment.name, transition)
        }
        return try await withStorage { storage, secret in
            var components = try Gateway.makeComponents(
                configuration: scenario.gateway,
                storage: storage,
                upstreams: upstreams,
                observers: [recorder],
                clock: clock,
                alerts: { alert in Logger(label: "keel.rehearse").warning("\(alert.message)") }
            )
            components.health = health
            let pipeline = Gateway.makePipeline(components)
            let bodies = [false, true].map { stream in
                let body: JSONValue = [
                    "model": .string(scenario.traffic.route), "stream": .bool(stream),
                    "messages": [["role": "user", "content": .string(scenario.traffic.prompt)]],
                ]
                return body.serialized()
            }
            let reporter = Task {
                while !Task.isCancelled {
                    progress(recorder.progress(total: scenario.duration, phases: scenario.phases))
                    try await Task.sleep(for: .milliseconds(250))
                }
            }
            defer { reporter.cancel() }
            await drive(upstreams: upstreams, recorder: recorder) { number, phase in
                let stream = Self.unit(number) < scenario.traffic.streamShare
                let request = GatewayRequest(operation: .chat, credential: secret, body: bodies[stream ? 1 : 0])
                let (exchange, result) = await pipeline.handle(request)
                if case .success(.stream(let chunks, _)) = result {
                    do { for try await _ in chunks {} } catch {}
                }
                recorder.assign(exchange.id, to: phase)
            }
            progress(recorder.progress(total: scenario.duration, phases: scenario.phases))
            return recorder.report(scenario: scenario)
        }
    }

    /// Starts requests on schedule, `rate` a second, moving the providers from phase to phase.
    private func drive(
        upstreams: [String: SimulatedUpstream],
        recorder: Recorder,
        send: @escaping @Sendable (_ number: Int, _ phase: Int) async -> Void
    ) async {
        let start = ContinuousClock.now
        recorder.start()
        let total = scenario.duration
        var phase = -1
        var phaseEnd = Duration.zero
        await withDiscardingTaskGroup { group in
            var number = 0
            while true {
                let due = Duration.seconds(Double(number) / scenario.traffic.rate)
                guard due < total else { break }
                while due >= phaseEnd {
                    phase += 1
                    phaseEnd += scenario.phases[phase].duration
                    try? await Task.sleep(until: start + due - .milliseconds(1))
                    enter(scenario.phases[phase], upstreams: upstreams)
                    recorder.entered(phase)
                }
                try? await Task.sleep(until: start + due)
                let (current, sent) = (phase, number)
                group.addTask { await send(sent, current) }
                recorder.sent()
                number += 1
            }
        }
    }

    /// Gives every simulated provider the phase's behaviour, or its configured one.
    private func enter(_ phase: RehearsalScenario.Phase, upstreams: [String: SimulatedUpstream]) {
        for provider in scenario.gateway.providers {
            upstreams[provider.name]?.profile = phase.profiles[provider.name] ?? provider.simulation
        }
    }

    /// A key for the rehearsal's traffic, in a throwaway store.
    /// Runs `body` on a throw-away SQLite storage with a fresh app key.
    private func withStorage<T>(_ body: (KeelStorage, String) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keel-rehearsal-\(RandomID.make(prefix: ""))")
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await KeelStorage.with(.sqlite(path: directory.appendingPathComponent("rehearsal.sqlite").path)) { storage in
            let secret = APIKeySecret.generate()
            try await storage.keys.insert(secret.key(name: "rehearsal", role: .app))
            return try await body(storage, secret.value)
        }
    }

    /// A repeatable, evenly spread draw in [0, 1) for request `number` (the golden-ratio sequence),
    /// so that every run streams the same requests and any stretch of them holds the stream share.
    private static func unit(_ number: Int) -> Double {
        (Double(number) * 0.618_033_988_749_894_9).truncatingRemainder(dividingBy: 1)
    }
}

extension Rehearsal {
    /// Collects every request's record and every breaker transition, with their times.
    final class Recorder: ExchangeObserver {
        private struct State {
            var start = ContinuousClock.now
            var startDate = Date()
            var records: [String: RequestRecord] = [:]
            var phases: [String: Int] = [:]
            var transitions: [RehearsalReport.Transition] = []
            var phase = 0
            var sent = 0
            var succeeded = 0
        }

        private let state = Mutex(State())

        func start() {
            state.withLock {
                $0.start = .now
                $0.startDate = Date()
            }
        }

        func exchangeFinished(_ record: RequestRecord) {
            state.withLock {
                $0.records[record.id] = record
                if RehearsalReport.succeeded(record) { $0.succeeded += 1 }
            }
        }

        func assign(_ id: String, to phase: Int) { state.withLock { $0.phases[id] = phase } }
        func sent() { state.withLock { $0.sent += 1 } }
        func entered(_ phase: Int) { state.withLock { $0.phase = phase } }

        func transitioned(_ deployment: String, _ transition: CircuitBreaker.Transition) {
            state.withLock { state in
                state.transitions.append(
                    RehearsalReport.Transition(
                        at: .now - state.start,
                        phase: state.phase,
                        deployment: deployment,
                        from: transition.from,
                        to: transition.to
                    )
                )
            }
        }

        func progress(total: Duration, phases: [RehearsalScenario.Phase]) -> Progress {
            state.withLock { state in
                Progress(
                    elapsed: min(.now - state.start, total),
                    total: total,
                    phase: phases[state.phase].name,
                    phaseNumber: state.phase + 1,
                    sent: state.sent,
                    finished: state.records.count,
                    succeeded: state.succeeded
                )
            }
        }

        func report(scenario: RehearsalScenario) -> RehearsalReport {
            state.withLock { state in
                let samples = state.records.values.compactMap { record in
                    state.phases[record.id].map {
                        RehearsalReport.Sample(record: record, phase: $0, at: record.startedAt.timeIntervalSince(state.startDate))
                    }
                }
                return RehearsalReport(scenario: scenario, samples: samples, transitions: state.transitions)
            }
        }
    }
}
