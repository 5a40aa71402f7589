import Foundation
import KeelApp
import KeelCore
import KeelStore
import KeelTesting
import Logging
import Synchronization
import Testing

/// The live side of drift: requests rolled up as they finish, windows stored per replica and
/// judged once against the shared baseline, the state kept across judgements — on both backends.
@Suite struct DriftServiceTests {
    static func record(_ id: String, at date: Date, tokens: Int, route: String = "chat") -> RequestRecord {
        var record = RequestRecord(
            id: id,
            startedAt: date,
            operation: "chat",
            route: route,
            status: 200,
            durationMs: 100 + Double(tokens % 7),
            attempts: []
        )
        record.inputTokens = tokens
        record.finishReasons = ["stop"]
        return record
    }

    @Test(arguments: TestBackend.available)
    func windowsFromTwoReplicasAreJudgedOnceAndAShiftTurnsTheRouteDrifting(on backend: TestBackend) async throws {
        try await backend.withStorage { storage in
            let clock = ManualClock(origin: Date(timeIntervalSince1970: 60 * 1_000))
            let monitor = try DriftMonitor(
                json: [
                    "features": ["input_tokens", "latency_ms", "finish_reason"], "window": ["minutes": 1], "baseline": ["trailing_windows": 3],
                    "min_samples": 20,
                ]
            )
            let rollups = [
                DriftRollup(monitors: ["chat": monitor], clock: clock.keelClock), DriftRollup(monitors: ["chat": monitor], clock: clock.keelClock),
            ]
            var quiet = Logger(label: "test")
            quiet.logLevel = .critical
            let alerts = Recorded()
            let services = rollups.enumerated().map { index, rollup in
                DriftService(
                    rollup: rollup,
                    reports: DriftReports(store: storage.drift, monitors: ["chat": monitor]),
                    replica: "rep_\(index)",
                    clock: clock.keelClock,
                    interval: .seconds(5),
                    logger: quiet,
                    alert: alerts.add
                )
            }
            var made: [DriftJudgementRecord] = []
            // Seeded: a stationary window alerts by chance one time in twenty or so (KS at p < 0.05), and
            // this test is about how windows are judged, not about that rate (DriftReplayTests measures it).
            var random = SeededRandom(seed: 1)
            for minute in 0..<8 {
                let start = clock.keelClock.now()
                // Tokens ~ uniform 100...200, and from minute 5 on, 40 % more.
                for index in 0..<60 {
                    let tokens = Int(Double(Int.random(in: 100...200, using: &random)) * (minute >= 5 ? 1.4 : 1))
                    rollups[index % 2].exchangeFinished(
                        Self.record("req_\(minute)_\(index)", at: start.addingTimeInterval(Double(index) * 0.9), tokens: tokens)
                    )
                }
                rollups[0].exchangeFinished(Self.record("req_other_\(minute)", at: start, tokens: 5, route: "unwatched"))
                clock.advance(by: .seconds(60))
                // Both replicas store their parts; a tick after the grace judges the window that closed.
                for service in services { made += try await service.tick() }
                clock.advance(by: .seconds(11))
                for service in services { made += try await service.tick() }
                clock.advance(by: .seconds(-11))
            }
            let windows = DriftRollup.Window.merging(try await storage.drift.windowParts(route: "chat", since: .distantPast, until: .distantFuture))
            #expect(windows.count == 8 && windows.allSatisfy { $0.requests == 60 }, "each window has both replicas' parts")
            let judged = try await storage.drift.judgements(route: "chat", limit: 100).reversed().map { $0 }
            #expect(judged.count == 5 && made.count == 5, "windows 3…7, each judged once, by one replica")
            #expect(judged.prefix(2).allSatisfy { $0.state == .ok }, "\(judged.map(\.state))")
            let turned = try #require(judged.first { $0.state == .drifting })
            #expect(turned.alerts.first == "input_tokens" && turned.windowStart == Date(timeIntervalSince1970: 60 * 1_006))
            #expect(turned.findings.first { $0.feature == "input_tokens" }?.streak == 2, "the streak carried over from the judgement before")
            let raised = alerts.alerts.withLock { $0 }
            #expect(raised.count == 1 && raised[0].alertKind == "drift_started" && raised[0].message.contains("input_tokens"), "\(raised)")
            #expect(services.allSatisfy { $0.judgements["chat"]?.windowStart == judged.last?.windowStart }, "each replica knows the latest judgement")
        }
    }

    @Test(arguments: TestBackend.available, [["trailing_windows": 2] as JSONValue, ["fixed_windows": 2]])
    func rowCountWindowsGatherWholeMinutesOfEveryReplicaUntilTheyHoldTheirRequests(on backend: TestBackend, baseline: JSONValue) async throws {
        try await backend.withStorage { storage in
            let clock = ManualClock(origin: Date(timeIntervalSince1970: 60 * 2_000))
            let monitor = try DriftMonitor(
                json: ["features": ["input_tokens"], "window": ["requests": 100], "baseline": baseline, "min_samples": 20]
            )
            let rollups = (0..<2).map { _ in DriftRollup(monitors: ["chat": monitor], clock: clock.keelClock) }
            let services = rollups.enumerated().map { index, rollup in
                DriftService(
                    rollup: rollup,
                    reports: DriftReports(store: storage.drift, monitors: ["chat": monitor]),
                    replica: "rep_\(index)",
                    clock: clock.keelClock,
                    interval: .seconds(5),
                    logger: TestBackend.quiet
                )
            }
            for minute in 0..<30 {
                let start = clock.keelClock.now()
                // 40 requests a minute over two replicas; from minute 17 on, three times the tokens.
                for index in 0..<40 {
                    let tokens = (100 + (minute * 40 + index) * 37 % 101) * (minute >= 17 ? 3 : 1)
                    rollups[index % 2].exchangeFinished(
                        Self.record("req_\(minute)_\(index)", at: start.addingTimeInterval(Double(index)), tokens: tokens)
                    )
                }
                clock.advance(by: .seconds(60))
                for service in services { _ = try await service.tick() }
                clock.advance(by: .seconds(11))
                for service in services { _ = try await service.tick() }
                clock.advance(by: .seconds(-11))
            }
            let judged = try await storage.drift.judgements(route: "chat", limit: 100).reversed().map { $0 }
            // 200 requests (minutes 0-4) fill the baseline; then a window every three minutes (120 requests).
            let minutes = judged.map { Int($0.windowStart.timeIntervalSince1970 / 60) - 2_000 }
            #expect(minutes == [5, 8, 11, 14, 17, 20, 23, 26], "\(minutes)")
            #expect(judged.prefix(4).allSatisfy { $0.state == .ok }, "\(judged.map(\.state))")
            #expect(judged.first { $0.state == .drifting }?.windowStart == Date(timeIntervalSince1970: 60 * 2_020))
            let last = try #require(judged.last)
            let windows = try #require(
                try await DriftReports(store: storage.drift, monitors: ["chat": monitor]).windows("chat", monitor: monitor, at: last.windowStart)
            )
            #expect(windows.current.requests == 120 && windows.baseline.map(\.requests) == [200])
        }
    }

    @Test(arguments: TestBackend.available)
    func aDatasetBaselineIsTheRoutesAnswersToItsLatestEvaluationRun(on backend: TestBackend) async throws {
        try await backend.withStorage { storage in
            let minute = Date(timeIntervalSince1970: 60 * 3_000)
            let monitor = try DriftMonitor(
                json: [
                    "features": ["input_tokens"], "window": ["minutes": 1], "baseline": ["dataset": "tickets"], "min_samples": 20, "persistence": 1,
                ]
            )
            let reports = DriftReports(store: storage.drift, monitors: ["chat": monitor], evaluations: storage.evaluations, log: storage.log)
            let run = EvaluationRun(
                team: nil,
                prompt: nil,
                promptVersion: nil,
                dataset: RegistryName(team: nil, name: "tickets"),
                datasetVersion: 1,
                route: "chat",
                plan: EvaluationPlan(),
                caseCount: 60,
                startedAt: minute.addingTimeInterval(-600),
                finishedAt: minute.addingTimeInterval(-500),
                createdBy: nil
            )
            try await storage.evaluations.createRun(run)
            #expect(try await reports.windows("chat", monitor: monitor, at: minute) == nil, "no window yet")
            try await storage.log.append(
                (0..<60).map { index in
                    var record = Self.record(
                        "req_eval_\(index)",
                        at: minute.addingTimeInterval(-590),
                        tokens: 100 + index * 37 % 101
                    )
                    record.evaluationRun = run.id
                    return record
                } + [Self.record("req_other", at: minute.addingTimeInterval(-590), tokens: 9_999)]
            )
            for (start, scale) in [(minute, 1), (minute.addingTimeInterval(60), 2)] {
                let values: [JSONValue] = (0..<80).map { JSONValue((100 + $0 * 53 % 101) * scale) }
                try await storage.drift.saveWindow(
                    DriftRollup.Window(route: "chat", start: start, requests: 80, columns: ["input_tokens": values]),
                    replica: "rep_a"
                )
            }
            let clock = ManualClock(origin: minute.addingTimeInterval(150))
            let service = DriftService(
                rollup: DriftRollup(monitors: [:]),
                reports: reports,
                replica: "rep_a",
                clock: clock.keelClock,
                interval: .seconds(5),
                logger: TestBackend.quiet
            )
            func state(_ windows: (baseline: [DriftRollup.Window], current: DriftRollup.Window)) throws -> DriftTracker.State {
                var tracker = DriftTracker(monitor: monitor)
                let samples = (try DriftReports.samples(windows.baseline, monitor), try DriftReports.samples([windows.current], monitor))
                return tracker.judge(window: 0, baseline: samples.0, current: samples.1).state
            }
            let judged = try await service.tick()
            #expect(judged.map(\.state) == [.drifting] && judged.first?.windowStart == minute.addingTimeInterval(60), "the doubled minute")
            let shifted = try #require(try await reports.windows("chat", monitor: monitor, at: minute.addingTimeInterval(60)))
            #expect(shifted.baseline.map(\.requests) == [60], "the run's requests, not the route's other traffic")
            let same = try #require(try await reports.windows("chat", monitor: monitor, at: minute))
            #expect(try state(same) == .ok)
        }
    }

    @Test func aWindowKeepsAUniformSampleOfAtMostItsMaximumAndReplicasMergeInProportion() throws {
        let monitor = try DriftMonitor(json: ["features": ["input_tokens"], "window": ["minutes": 60], "max_samples": 100])
        let rollup = DriftRollup(monitors: ["chat": monitor])
        let start = Date(timeIntervalSince1970: 3_600 * 500_000)
        for index in 0..<1_000 { rollup.exchangeFinished(Self.record("req_\(index)", at: start.addingTimeInterval(Double(index)), tokens: index)) }
        let window = try #require(rollup.takeClosed(now: start.addingTimeInterval(3_600)).first)
        let kept = (window.columns["input_tokens"] ?? []).compactMap(\.doubleValue)
        #expect(window.requests == 1_000 && kept.count == 100 && Set(kept).count == 100)
        #expect(kept.contains { $0 >= 500 }, "later requests have their chance too")
        let busy = DriftRollup.Window(route: "chat", start: start, requests: 3_000, columns: ["input_tokens": Array(repeating: 1, count: 100)])
        let quiet = DriftRollup.Window(route: "chat", start: start, requests: 1_000, columns: ["input_tokens": Array(repeating: 2, count: 100)])
        let merged = try #require(DriftRollup.Window.merging([busy, quiet], maximumSamples: 100).first)
        let values = merged.columns["input_tokens"] ?? []
        #expect(merged.requests == 4_000 && values.count { $0 == 1 } == 75 && values.count { $0 == 2 } == 25)
    }

    /// The alerts a service raised.
    final class Recorded: Sendable {
        let alerts = Mutex<[DriftAlert]>([])
        func add(_ alert: DriftAlert) { alerts.withLock { $0.append(alert) } }
    }
}
