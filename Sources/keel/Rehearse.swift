import ArgumentParser
import Foundation
import KeelApp

struct Rehearse: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rehearse faults: drive traffic through a scenario's gateway while its simulated upstreams fail in phases.",
        discussion: """
            Prints a report per phase: success rate, latency against the budget, share degraded, upstream calls per request, \
            retry overhead, and the circuit breakers' transitions. Exits 1 when an expectation of the scenario does not hold. \
            Scenarios ship in the repository's scenarios/ folder.
            """
    )

    @Argument(help: "The scenario file.") var scenario: String
    @Flag(help: "No progress bar.") var quiet = false

    func run() async throws {
        let scenario = try RehearsalScenario.load(file: scenario)
        if !scenario.description.isEmpty { print(scenario.description.trimmingCharacters(in: .whitespacesAndNewlines) + "\n") }
        let bar = ProgressBar(quiet: quiet)
        let report = try await Rehearsal(scenario: scenario).run { progress in
            let ok = progress.finished == 0 ? 100 : Double(progress.succeeded) / Double(progress.finished) * 100
            let done = progress.total == .zero ? 1 : progress.elapsed / progress.total
            bar.draw(done, "phase \(progress.phaseNumber): \(progress.phase)  \(progress.sent) sent  \(String(format: "%.2f", ok))% ok")
        }
        bar.finish()
        print(report.render())
        if !report.unmet.isEmpty { throw ExitCode(1) }
    }
}
