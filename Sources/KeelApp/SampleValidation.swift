import Foundation
import KeelCore
import KeelStore

/// A sample of a route's intake run through its contract and risk policy without calling a model
/// (`keel validate`, and the demo): each record's outcome, and the counts kept in the audit trail as
/// the route's data-readiness evidence, with the sample's SHA-256.
public enum SampleValidation {
    /// Validates the JSONL `text` (blank lines skipped), handing each record's outcome to `outcome`;
    /// returns the evidence it kept.
    public static func run(
        route: Route,
        text: String,
        source: String,
        storage: KeelStorage,
        by actor: String,
        outcome: (JSONObject) -> Void = { _ in }
    ) async throws -> ValidationEvidence {
        guard let contract = route.contract else {
            throw KeelError(.invalidRequest, "The route '\(route.name)' has no contract section.", param: "route")
        }
        var validation = BatchValidation(contract: contract, risk: route.risk, today: Date())
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.allSatisfy(\.isWhitespace) {
            outcome(validation.validate(line: String(line), number: index + 1))
        }
        let evidence = ValidationEvidence(route: route.name, at: Date(), counts: validation.counts, source: source, sha256: Digest.sha256Hex(text))
        _ = try await AuditTrail(store: storage.audit).record(evidence.event(by: actor))
        return evidence
    }
}
