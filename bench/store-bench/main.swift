import Foundation
import KeelCore
import KeelStore
import Logging

// swift run -c release store-bench POSTGRES_URL [ROWS]
//
// Writes ROWS request-log records (100,000 unless given; batches of 1,000, each record with two
// attempts and a 600-byte request body) into a fresh SQLite file and into the empty PostgreSQL
// database at POSTGRES_URL, alternating rounds, and prints rows per second of each; then times
// 2,000 budget reservations and settlements one after another and 2,000 from 32 tasks at once.

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    print("usage: store-bench POSTGRES_URL [ROWS]")
    exit(2)
}
let rows = arguments.count > 2 ? Int(arguments[2]) ?? 100_000 : 100_000
var logger = Logger(label: "store-bench")
logger.logLevel = .warning
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("keel-store-bench-\(getpid())").path
try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: folder) }
let backends: [(name: String, configuration: StorageConfiguration)] = [
    ("SQLite", .sqlite(path: "\(folder)/keel.sqlite")), ("PostgreSQL", .postgres(url: arguments[1], poolSize: 20)),
]

let body = #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"\#(String(repeating: "lorem ipsum ", count: 45))"}]}"#
func batch(_ round: Int, _ index: Int) -> [RequestRecord] {
    (0..<1_000).map { offset in
        RequestRecord(
            id: "req_\(getpid())_\(round)_\(index)_\(offset)",
            startedAt: Date(),
            operation: "chat",
            keyID: "key_bench",
            team: "search",
            requestedModel: "gpt-4o-mini",
            route: "gpt-4o-mini",
            model: "mini",
            provider: "upstream",
            status: 200,
            durationMs: 1.5,
            upstreamMs: 1.2,
            inputTokens: 120,
            outputTokens: 16,
            cost: Money(picodollars: 27_600_000),
            promptTokens: 120,
            requestBody: body,
            attempts: (1...2).map {
                AttemptRecord(number: $0, provider: "upstream", model: "mini", startOffsetMs: 0, durationMs: 0.6, upstreamStatus: 200, error: nil)
            }
        )
    }
}

func seconds(_ work: () async throws -> Void) async rethrows -> Double {
    let clock = ContinuousClock()
    let elapsed = try await clock.measure(work)
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

var ingest: [String: [Double]] = [:]
var budget: [String: (sequential: Double, concurrent: Double)] = [:]
let stores = try await backends.asyncMap { ($0.name, try await KeelStorage.open($0.configuration, logger: logger)) }
for round in 0..<3 {
    for (name, storage) in stores {
        let batches = (0..<rows / 1_000).map { batch(round, $0) }
        let elapsed = try await seconds { for records in batches { try await storage.log.append(records) } }
        ingest[name, default: []].append(Double(rows) / elapsed)
    }
}
for (name, storage) in stores {
    let account = BudgetAccount(budget: "route:bench:day", windowStart: Date(timeIntervalSince1970: 0))
    try await storage.budgets.open(account, opening: .zero)
    func reserveAndSettle(_ id: String) async throws {
        _ = try await storage.budgets.reserve(id: id, amount: Money(dollars: 0.001), against: [(account, Money(dollars: 1e6))], replica: "rep_bench")
        _ = try await storage.budgets.settle(id: id, cost: Money(dollars: 0.0005))
    }
    let sequential = try await seconds { for index in 0..<2_000 { try await reserveAndSettle("seq_\(index)") } }
    let concurrent = try await seconds {
        try await withThrowingDiscardingTaskGroup { group in
            for task in 0..<32 { group.addTask { for index in 0..<(2_000 / 32) { try await reserveAndSettle("con_\(task)_\(index)") } } }
        }
    }
    budget[name] = (sequential * 1e6 / 2_000, concurrent * 1e6 / Double(2_000 / 32 * 32))
}
for (_, storage) in stores { await storage.close() }

let median = { (values: [Double]) in values.sorted()[values.count / 2] }
print("Keel's storage, SQLite against PostgreSQL (median of 3 alternating rounds, \(ProcessInfo.processInfo.activeProcessorCount) cores)")
print("request log ingest, \(rows) rows in batches of 1,000:")
for (name, _) in backends { print("  \(name.padding(toLength: 11, withPad: " ", startingAt: 0)) \(Int(median(ingest[name]!))) rows/s") }
print(String(format: "  postgres/sqlite %.2f", median(ingest["PostgreSQL"]!) / median(ingest["SQLite"]!)))
print("budget reservation and settlement, µs each (one at a time; 32 at once, wall time per operation):")
for (name, _) in backends {
    let figures = budget[name]!
    print("  \(name.padding(toLength: 11, withPad: " ", startingAt: 0)) \(Int(figures.sequential)) µs; \(Int(figures.concurrent)) µs")
}

extension Array where Element: Sendable {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
