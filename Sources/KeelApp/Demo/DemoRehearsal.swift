import Foundation
import KeelCore
import KeelStore

/// What `keel demo` shows of the fallback plan: the `triage` route rehearsed as configured, its
/// primary provider down for three seconds (`demo/triage-outage.yaml`), kept in the audit trail as
/// the route's evidence — what `keel rehearse SCENARIO --config keel.yaml` does.
public enum DemoRehearsal {
    public static func run(configuration: KeelConfiguration, storage: KeelStorage) async throws -> String {
        let path = try demoResource("triage-outage", "yaml")
        let scenario = try RehearsalScenario.load(file: path, configuration: configuration)
        let report = try await Rehearsal(scenario: scenario).run()
        let evidence = try await report.keep(scenario: path, in: storage, by: "keel demo")
        let phases = evidence.phases.map { "\($0.name) \(String(format: "%.1f %%", $0.successRate * 100))" }.joined(separator: ", ")
        let outcome = evidence.passed ? "every expectation held" : "failed: " + evidence.unmet.joined(separator: "; ")
        return "triage's primary down for 3 s, its fallback carrying it: \(phases) answered; \(outcome)."
    }
}
