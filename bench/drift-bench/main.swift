import Foundation
import KeelCore
import KeelStore
import Logging

// swift run -c release drift-bench [REQUESTS] [POSTGRES_URL]
//
// Stores a route's drift windows over REQUESTS logged requests in all (1,000,000 unless given: 24
// baseline windows and the current one, seven features each, each window the uniform sample of at
// most max_samples requests its rollup keeps) in a fresh SQLite file — and in the
// empty PostgreSQL database at POSTGRES_URL when given — then times what the drift service does for
// one judgement: reading the baseline and current windows and judging every feature, in alternating
// rounds, and prints the median.

let arguments = CommandLine.arguments
let requests = arguments.count > 1 ? Int(arguments[1]) ?? 1_000_000 : 1_000_000
var logger = Logger(label: "drift-bench")
logger.logLevel = .warning
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("keel-drift-bench-\(getpid())").path
try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: folder) }
var backends: [(name: String, configuration: StorageConfiguration)] = [("SQLite", .sqlite(path: "\(folder)/keel.sqlite"))]
if arguments.count > 2 { backends.append(("PostgreSQL", .postgres(url: arguments[2], poolSize: 4))) }

let monitor = try DriftMonitor(json: [:])
let windows = (monitor.baseline.windows ?? 0) + 1
let perWindow = requests / windows
let start = Date(timeIntervalSince1970: 3_600 * 400_000)
func window(_ index: Int) -> DriftRollup.Window {
    var random = SystemRandomNumberGenerator()
    var columns: [String: [JSONValue]] = [:]
    for _ in 0..<min(perWindow, monitor.maximumSamples) {
        let tokens = Int(exp(6 + 0.5 * Double.random(in: -2...2, using: &random)))
        columns["input_tokens", default: []].append(JSONValue(tokens))
        columns["output_tokens", default: []].append(JSONValue(Int.random(in: 20...400, using: &random)))
        columns["latency_ms", default: []].append(.double(Double.random(in: 200...4_000, using: &random)))
        columns["cost_usd", default: []].append(.double(Double(tokens) * 0.15e-6))
        columns["finish_reason", default: []].append(Int.random(in: 0..<100, using: &random) < 92 ? "stop" : "length")
        columns["model", default: []].append(Bool.random(using: &random) ? "sim-mini" : "sim-large")
        columns["prompt_version", default: []].append("triage@3")
    }
    return DriftRollup.Window(route: "chat", start: start.addingTimeInterval(Double(index) * 3_600), requests: perWindow, columns: columns)
}
let generated = (0..<windows).map(window)
print(
    "\(perWindow * windows) requests in \(windows) windows of \(perWindow), each keeping \(min(perWindow, monitor.maximumSamples)), \(monitor.features.count) features"
)

var timings: [String: [Double]] = [:]
var storages: [(String, KeelStorage)] = []
for backend in backends {
    let storage = try await KeelStorage.open(backend.configuration, logger: logger)
    for item in generated { try await storage.drift.saveWindow(item, replica: "rep_a") }
    storages.append((backend.name, storage))
}
for _ in 0..<3 {
    for (name, storage) in storages {
        let began = ContinuousClock.now
        let reports = DriftReports(store: storage.drift, monitors: ["chat": monitor])
        guard let (baseline, current) = try await reports.windows("chat", monitor: monitor, at: start.addingTimeInterval(Double(windows - 1) * 3_600))
        else {
            fatalError("the windows were not found")
        }
        let samples = (try DriftReports.samples(baseline, monitor), try DriftReports.samples([current], monitor))
        var tracker = DriftTracker(monitor: monitor)
        let judged = tracker.judge(window: 0, baseline: samples.0, current: samples.1)
        let seconds = Double((ContinuousClock.now - began).components.attoseconds) / 1e18 + Double((ContinuousClock.now - began).components.seconds)
        precondition(judged.findings.count == monitor.features.count)
        timings[name, default: []].append(seconds)
    }
}
for (name, storage) in storages {
    let sorted = (timings[name] ?? []).sorted()
    print(
        "\(name): one judgement over \(perWindow * windows) requests: \(String(format: "%.3f", sorted[sorted.count / 2])) s (median of \(sorted.count))"
    )
    await storage.close()
}
