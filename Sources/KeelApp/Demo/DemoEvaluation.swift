import Foundation
import KeelCore
import KeelStore

/// What `keel demo` shows of prompts and evaluations, on the example configuration's `triage`
/// route: two versions of a triage prompt and 24 labelled tickets (Keel's `Resources/demo`). Version
/// 1 holds `production`; version 2 raises the average but gets two high-risk fraud tickets wrong,
/// so the route's gate refuses to promote it.
public enum DemoEvaluation {
    public static func run(configuration: KeelConfiguration, storage: KeelStorage) async throws -> String {
        let registry = Gateway.promptRegistry(storage)
        for version in ["triage-v1", "triage-v2"] {
            _ = try await registry.push(try PromptFile.load(try demoResource(version, "yaml")), team: nil, by: "demo")
        }
        let tickets = try DatasetFile.parse(try String(contentsOfFile: try demoResource("triage-tickets", "jsonl"), encoding: .utf8)).get()
        _ = try await storage.datasets.push(tickets, as: RegistryName(team: nil, name: "triage-tickets"), by: "demo", at: Date())
        let triage = RegistryName(team: nil, name: "triage")
        _ = try await registry.label("production", of: triage, to: 1, by: "demo", reason: "the demo's first release")
        let evaluations = Evaluations(configuration: configuration, storage: storage)
        let check = try await evaluations.promote(
            prompt: "triage",
            version: 2,
            label: "production",
            route: "triage",
            team: nil,
            freshness: .seconds(86_400),
            concurrency: 8,
            by: "demo",
            reason: "the demo's second release"
        )
        let rates =
            check.verdict.checks.first.map { check in
                "triage@1 \(GateVerdict.percent(check.baseRate ?? 0)) → triage@2 \(GateVerdict.percent(check.candidateRate ?? 0)) overall"
            } ?? ""
        let outcome = check.verdict.holds ? "promoted to production" : "refused (\(check.verdict.failures.joined(separator: "; ")))"
        return
            "\(rates); promoting triage@2 \(outcome). Runs \(check.base?.id ?? "-") and \(check.candidate.id): `keel eval compare \(check.base?.id ?? "") \(check.candidate.id)`."
    }

}

/// The path of one of the demo's files in Keel's resources.
func demoResource(_ name: String, _ type: String) throws -> String {
    guard let url = Bundle.module.url(forResource: name, withExtension: type, subdirectory: "demo") else {
        throw KeelError(.internalError, "The demo's \(name).\(type) is missing from Keel's resources.")
    }
    return url.path
}
