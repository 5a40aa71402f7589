import Foundation
import KeelCore
import KeelProviders
import KeelStore
import Logging
import Synchronization

/// What `keel demo` shows of drift: a morning of support tickets on the `triage` route — eight
/// minutes of the usual ones, then two minutes in which customers write at length — sent through
/// the same pipeline `keel serve` runs, in process, on a clock the demo moves a minute at a time so
/// that the minutes pass in seconds. The route's drift monitor (minute windows, the eight before as
/// baseline) rolls each minute up and judges it as the live service does; the requests are logged
/// at the minutes they stand for.
public enum DemoDrift {
    /// Tickets a minute; the monitor judges windows of at least its `min_samples`.
    static let perWindow = 30
    static let usualWindows = 8
    static let longWindows = 2

    public static func run(configuration: KeelConfiguration, storage: KeelStorage, key: String) async throws -> String {
        guard let monitor = configuration.routes.first(where: { $0.name == "triage" })?.drift else {
            throw KeelError(.internalError, "The demo's configuration has no drift monitor on triage.")
        }
        let clock = MovableClock()
        let rollup = DriftRollup(monitors: ["triage": monitor], clock: clock.keel)
        let log = RequestLogWriter(store: storage.log, logger: Logger(label: "keel.demo"))
        let upstreams = Dictionary(
            uniqueKeysWithValues: configuration.providers.map { ($0.name, SimulatedUpstream(profile: $0.simulation) as any Upstream) }
        )
        let components = try Gateway.makeComponents(
            configuration: configuration,
            storage: storage,
            upstreams: upstreams,
            observers: [log, rollup],
            clock: clock.keel
        )
        let pipeline = Gateway.makePipeline(components)
        let reports = DriftReports(store: storage.drift, monitors: ["triage": monitor], evaluations: storage.evaluations, log: storage.log)
        let service = DriftService(
            rollup: rollup,
            reports: reports,
            replica: "keel-demo",
            clock: clock.keel,
            interval: .seconds(1),
            logger: Logger(label: "keel.demo")
        )
        let tickets = try usualTickets()
        // Minute windows ending two minutes ago, so that each is judged as soon as the next begins.
        let first = (Date().timeIntervalSince1970 / 60).rounded(.down) * 60 - Double(usualWindows + longWindows + 2) * 60
        var judged: DriftJudgementRecord?
        for window in 0..<(usualWindows + longWindows) {
            let start = Date(timeIntervalSince1970: first + Double(window) * 60)
            clock.set(start.addingTimeInterval(1))
            let long = window >= usualWindows
            await withTaskGroup(of: Void.self) { group in
                for number in 0..<perWindow {
                    let ticket = tickets[(window * perWindow + number) % tickets.count]
                    let variables: JSONValue = ["product": "Keel Cloud", "ticket": .string(long ? lengthened(ticket) : ticket)]
                    let body: JSONValue = ["model": "triage", "variables": variables]
                    group.addTask { _ = await pipeline.handle(GatewayRequest(operation: .chat, credential: key, body: body.serialized())) }
                }
            }
            await log.flush()
            clock.set(start.addingTimeInterval(65))
            judged = try await service.tick().last ?? judged
        }
        guard let judged else { return "no window was judged (too few tickets answered)." }
        let moved = judged.findings.filter(\.drifted).map {
            "\($0.feature) (\($0.test.rawValue) \($0.test.isPValue ? "p = " : "")\(String(format: "%.2g", $0.value)))"
        }
        return
            "\(usualWindows) minutes of usual tickets, then \(longWindows) of longer ones, \(perWindow) a minute: triage is \(judged.state.rawValue)"
            + (moved.isEmpty ? "." : ", moved: \(moved.joined(separator: ", ")) (`keel drift report triage`).")
    }

    /// The dataset's tickets a customer writes day to day (fraud ones go to review, and are left out).
    static func usualTickets() throws -> [String] {
        let text = try String(contentsOfFile: try demoResource("triage-tickets", "jsonl"), encoding: .utf8)
        let cases = try DatasetFile.parse(text).get()
        return cases.filter { $0.category != "fraud" }.compactMap { $0.variables?["ticket"]?.stringValue }
    }

    /// A ticket as a customer writes it at length: the same request, with its history.
    static func lengthened(_ ticket: String) -> String {
        ticket + " I have written about this before and tried everything your help pages suggest, including signing out, clearing "
            + "the cache and waiting a day, but nothing changed and my team depends on this working before the end of the week."
    }
}

/// A wall clock the demo sets, minute by minute; durations stay real.
private final class MovableClock: Sendable {
    private let now = Mutex(Date())

    func set(_ date: Date) { now.withLock { $0 = date } }

    var keel: KeelClock {
        KeelClock(now: { self.now.withLock { $0 } }, uptime: KeelClock.system.uptime, sleep: KeelClock.system.sleep)
    }
}
