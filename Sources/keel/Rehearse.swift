import ArgumentParser
import Foundation
import KeelApp
import KeelCore
import KeelStore
import Logging

struct Rehearse: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rehearse faults: drive traffic through a scenario's gateway while its simulated upstreams fail in phases.",
        discussion: """
            Prints a report per phase: success rate, latency against the budget, share degraded, upstream calls per request, \
            retry overhead, and the circuit breakers' transitions. Exits 1 when an expectation of the scenario does not hold. \
            Scenarios ship in the repository's scenarios/ folder. A scenario without a 'gateway' section rehearses the \
            configuration's own route (--config), its providers stood in for by simulators of the same names, and its outcome \
            is kept in that configuration's audit trail: the route's fallback-plan evidence (keel readiness).
            """
    )

    @Argument(help: "The scenario file.") var scenario: String
    @Option(name: .shortAndLong, help: "The configuration a scenario without a gateway rehearses (and whose audit trail keeps it).")
    var config: String?
    @Flag(help: "No progress bar.") var quiet = false

    func run() async throws {
        let configuration = try config.map { try KeelConfiguration.load(file: $0) }
        let scenario = try RehearsalScenario.load(file: scenario, configuration: configuration)
        if !scenario.description.isEmpty { print(scenario.description.trimmingCharacters(in: .whitespacesAndNewlines) + "\n") }
        let bar = ProgressBar(quiet: quiet)
        let report = try await Rehearsal(scenario: scenario).run { progress in
            let ok = progress.finished == 0 ? 100 : Double(progress.succeeded) / Double(progress.finished) * 100
            let done = progress.total == .zero ? 1 : progress.elapsed / progress.total
            bar.draw(done, "phase \(progress.phaseNumber): \(progress.phase)  \(progress.sent) sent  \(String(format: "%.2f", ok))% ok")
        }
        bar.finish()
        print(report.render())
        if let configuration, scenario.rehearsesConfiguration {
            try await KeelStorage.with(configuration.storage, logger: makeLogger(level: .warning)) { storage in
                _ = try await report.keep(scenario: self.scenario, in: storage, by: commandActor("keel rehearse"))
            }
            print("Kept in the audit trail as the fallback-plan evidence of \(scenario.traffic.route) (keel readiness \(scenario.traffic.route)).")
        }
        if !report.unmet.isEmpty { throw ExitCode(1) }
    }
}
