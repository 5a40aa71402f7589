import Foundation
import KeelApp
import KeelCore
import Testing

/// 1,000 generated claim records with the mess real intake brings (`Fixtures/contracts/generate.py`):
/// every one accepted, quarantined or rejected with reasons, the counts adding up, and each accepted
/// record's normalised values and tier equal to the ground truth it was rendered from.
@Suite struct IntakeFixtureTests {
    static func fixture(_ name: String) throws -> [JSONObject] {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/contracts/\(name)", withExtension: "jsonl"))
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { try #require(try JSONParser.parse(String($0)).objectValue) }
    }

    static func claimsRoute() throws -> Route {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/contracts/keel", withExtension: "yaml"))
        let (configuration, problems) = KeelConfiguration.check(yaml: try String(contentsOf: url, encoding: .utf8), environment: [:])
        #expect(problems.isEmpty, "\(problems)")
        return try #require(configuration?.routes.first { $0.name == "claims" })
    }

    static let today = ISO8601DateFormatter().date(from: "2026-06-01T12:00:00Z")!

    @Test func everyRecordGetsItsStatusAndReasonsAndTheAcceptedOnesTheirValuesFieldByField() throws {
        let route = try Self.claimsRoute()
        var validation = BatchValidation(contract: try #require(route.contract), risk: route.risk, today: Self.today)
        let lines = try String(
            contentsOf: try #require(Bundle.module.url(forResource: "Fixtures/contracts/intake", withExtension: "jsonl")),
            encoding: .utf8
        )
        .split(separator: "\n")
        let expected = try Self.fixture("expected")
        #expect(lines.count == 1_000 && expected.count == 1_000)
        var mismatches: [String] = []
        var fieldsChecked = 0
        for (number, (line, truth)) in zip(lines, expected).enumerated() {
            let result = validation.validate(line: String(line), number: number + 1)
            let id = truth["id"]?.stringValue ?? "?"
            #expect(result["id"]?.stringValue == id)
            let status = result["status"]?.stringValue
            let fields = Set((result["errors"]?.arrayValue ?? []).compactMap { $0.objectValue?["field"]?.stringValue })
            if status != truth["status"]?.stringValue {
                mismatches.append("\(id): \(status ?? "-") instead of \(truth["status"]?.stringValue ?? "-") \(result["errors"]?.jsonString ?? "")")
                continue
            }
            if status != "accepted" {
                let wanted = Set((truth["fields"]?.arrayValue ?? []).compactMap(\.stringValue))
                if fields != wanted {
                    mismatches.append("\(id): problems at \(fields.sorted()) instead of \(wanted.sorted()) \(result["errors"]?.jsonString ?? "")")
                }
                continue
            }
            let normalized = result["normalized"]?.objectValue ?? JSONObject()
            for entry in truth["normalized"]?.objectValue?.entries ?? [] {
                fieldsChecked += 1
                let got = normalized[entry.key] ?? .null
                let same =
                    if let a = got.doubleValue, let b = entry.value.doubleValue, got.stringValue == nil { abs(a - b) < 1e-9 } else {
                        got == entry.value
                    }
                if !same { mismatches.append("\(id).\(entry.key): \(got.jsonString) instead of \(entry.value.jsonString)") }
            }
            if result["tier"] != truth["tier"] {
                mismatches.append("\(id): tier \(result["tier"]?.jsonString ?? "-") instead of \(truth["tier"]?.jsonString ?? "-")")
            }
        }
        #expect(mismatches.count == 0, "\(mismatches.count) mismatches:\n\(mismatches.prefix(25).joined(separator: "\n"))")
        let counts = ContractOutcome.Status.allCases.map { validation.counts[$0] ?? 0 }
        let wanted = ContractOutcome.Status.allCases.map { status in expected.count { $0["status"]?.stringValue == status.rawValue } }
        #expect(counts == wanted && counts.reduce(0, +) == 1_000, "\(counts) instead of \(wanted)")
        #expect(fieldsChecked > 10_000, "\(fieldsChecked) normalised values compared")
    }
}
