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
        // The bar redraws one line in place: only for a person watching a terminal.
        let showProgress = !quiet && isatty(STDERR_FILENO) == 1
        let report = try await Rehearsal(scenario: scenario).run { progress in
            if showProgress { Self.draw(progress) }
        }
        if showProgress { FileHandle.standardError.write(Data("\n".utf8)) }
        print(report.render())
        if !report.unmet.isEmpty { throw ExitCode(1) }
    }

    /// `[██████░░░░░░░░]  42%  phase 2/3 outage   12034 sent  99.95% ok`, redrawn in place on stderr.
    static func draw(_ progress: Rehearsal.Progress) {
        let width = 30
        let done = progress.total == .zero ? 1 : min(1, progress.elapsed / progress.total)
        let filled = Int(done * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let ok = progress.finished == 0 ? 100 : Double(progress.succeeded) / Double(progress.finished) * 100
        let percent = String(format: "%3d%%", Int(done * 100))
        let line =
            "\r[\(bar)] \(percent)  phase \(progress.phaseNumber): \(progress.phase)  \(progress.sent) sent  \(String(format: "%.2f", ok))% ok   "
        FileHandle.standardError.write(Data(line.utf8))
    }
}
