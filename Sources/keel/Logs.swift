import ArgumentParser
import Foundation
import KeelApp
import KeelCore
import KeelStore

struct Logs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the request log, newest last.")

    @OptionGroup var storage: StorageOptions
    @OptionGroup var team: TeamOption
    @Option(name: .short, help: "How many requests to show.") var n = 20
    @Option(help: "Only this route.") var route: String?
    @Option(help: "Only this key id.") var key: String?
    @Option(help: "Only this HTTP status.") var status: Int?
    @Flag(help: "Only failed requests.") var failed = false
    @Flag(help: "One JSON object a line, with attempts.") var json = false
    @Flag(name: .shortAndLong, help: "Keep printing new requests as they arrive.") var follow = false

    func run() async throws {
        var query = RequestQuery(scope: team.scope, route: route, keyID: key, status: status, failedOnly: failed, limit: n)
        try await storage.withStorage { storage in
            var seen = Set<String>()
            repeat {
                let records = try await storage.log.requests(matching: query).reversed().filter { !seen.contains($0.id) }
                for record in records {
                    seen.insert(record.id)
                    print(json ? record.json.jsonString : Self.line(record))
                }
                if follow {
                    query.since = records.last?.startedAt ?? query.since
                    try await Task.sleep(for: .milliseconds(500))
                }
            } while follow
        }
    }

    static func line(_ record: RequestRecord) -> String {
        let time = ISO8601DateFormatter.keel.string(from: record.startedAt)
        let tokens = record.inputTokens.map { "\($0)→\(record.outputTokens ?? 0) tok" } ?? "-"
        let cost = record.cost.map { String(format: "$%.6f", $0.dollars) } ?? "-"
        var outcome = record.errorCode.map { "\(record.status) \($0)" } ?? "\(record.status)"
        if let degraded = record.degraded { outcome += " degraded=\(degraded)" }
        return [
            time, record.id, record.operation, record.route ?? record.requestedModel ?? "-", record.stream ? "stream" : "-", outcome,
            String(format: "%.1fms", record.durationMs), tokens, cost, "\(record.attempts.count) attempt(s)",
        ].joined(separator: "  ")
    }
}
