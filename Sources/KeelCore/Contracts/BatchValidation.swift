import Foundation

/// A route's contract and risk policy applied to records without calling a model (`keel validate`):
/// the data-readiness check a team runs on a sample of real records before rollout. Each line is
/// `{"id", "payload"}` (the payload as a client sent it: an object, or a string holding JSON; other
/// fields ignored) and gets one line back: `{"id", "status", "errors", "normalized", "tier"}`. A
/// second record with an accepted one's dedupe key is rejected as a duplicate, as the gateway would.
public struct BatchValidation: Sendable {
    public let contract: InputContract
    public let risk: RiskPolicy?
    public let today: Date
    private var accepted: [String: String] = [:]
    /// How many records got each status.
    public private(set) var counts: [ContractOutcome.Status: Int] = [:]

    public init(contract: InputContract, risk: RiskPolicy?, today: Date) {
        self.contract = contract
        self.risk = risk
        self.today = today
    }

    /// The answer to one input line (`number` counts from 1).
    public mutating func validate(line: String, number: Int) -> JSONObject {
        var id: JSONValue = .null
        var outcome: ContractOutcome
        if let value = try? JSONParser.parse(line), let object = value.objectValue {
            id = object["id"] ?? .null
            outcome = contract.check(object["payload"], today: today)
        } else {
            outcome = ContractOutcome(
                status: .rejected,
                problems: [ContractProblem(field: "", code: .invalidPayload, message: "Line \(number) is not a JSON object.", rejects: true)],
                normalized: nil
            )
        }
        let name = id.stringValue ?? (id.isNull ? "line \(number)" : id.jsonString)
        if outcome.status == .accepted, let key = outcome.dedupeKey {
            if let original = accepted[key] { outcome = outcome.duplicate(of: original) } else { accepted[key] = name }
        }
        counts[outcome.status, default: 0] += 1
        let tier = outcome.normalized.map { risk?.assess($0).tier ?? .low }
        return JSONObject([
            ("id", id), ("status", .string(outcome.status.rawValue)), ("errors", .array(outcome.problems.map(\.json))),
            ("normalized", outcome.normalized.map(JSONValue.object) ?? .null), ("tier", tier.map { .string($0.rawValue) } ?? .null),
        ])
    }
}
