import Foundation
import KeelCore
import KeelStore

/// What `keel demo` shows of data readiness: 40 tickets as a help desk's intake sends them (padded,
/// missing fields, too short, not objects) run through the `triage` route's contract, as
/// `keel validate` runs a sample, and kept in the audit trail as the route's evidence.
public enum DemoIntake {
    public static func run(configuration: KeelConfiguration, storage: KeelStorage) async throws -> String {
        guard let route = configuration.routes.first(where: { $0.name == "triage" }) else {
            throw KeelError(.internalError, "The demo's configuration has no triage route.")
        }
        let text = try String(contentsOfFile: try demoResource("triage-intake", "jsonl"), encoding: .utf8)
        let evidence = try await SampleValidation.run(route: route, text: text, source: "triage-intake.jsonl", storage: storage, by: "keel demo")
        let counts = ContractOutcome.Status.allCases.map { "\(evidence.counts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
        return "\(evidence.records) sample tickets through triage's contract: \(counts) (`keel validate --route triage --input FILE` does the same)."
    }
}
