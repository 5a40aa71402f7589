import Foundation
import KeelCore
import KeelStore

/// What `keel demo` shows of data readiness: 40 tickets as a help desk's intake sends them (padded,
/// missing fields, too short, not objects) run through the `triage` route's contract, as
/// `keel validate` runs a sample, and kept in the audit trail as the route's evidence.
public enum DemoIntake {
    public static func run(configuration: KeelConfiguration, storage: KeelStorage) async throws -> String {
        guard let route = configuration.routes.first(where: { $0.name == "triage" }), let contract = route.contract else {
            throw KeelError(.internalError, "The demo's configuration has no triage route with a contract.")
        }
        let path = try demoResource("triage-intake", "jsonl")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var validation = BatchValidation(contract: contract, risk: route.risk, today: Date())
        for (number, line) in text.split(separator: "\n").enumerated() { _ = validation.validate(line: String(line), number: number + 1) }
        let evidence = ValidationEvidence(
            route: "triage",
            at: Date(),
            counts: validation.counts,
            source: "triage-intake.jsonl",
            sha256: Digest.sha256Hex(text)
        )
        _ = try await AuditTrail(store: storage.audit).record(evidence.event(by: "keel demo"))
        let counts = ContractOutcome.Status.allCases.map { "\(validation.counts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
        return "\(evidence.records) sample tickets through triage's contract: \(counts) (`keel validate --route triage --input FILE` does the same)."
    }
}
