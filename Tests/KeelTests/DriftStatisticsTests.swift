import Foundation
import KeelCore
import Testing

/// Every drift statistic against what scipy and Evidently's own functions give for seeded samples
/// (`Fixtures/drift/generate.py` made `references.jsonl`): within 1e-9, and the same test chosen and
/// verdict reached.
@Suite struct DriftStatisticsTests {
    static func references() throws -> [JSONObject] {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/drift/references", withExtension: "jsonl"))
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { try #require(try JSONParser.parse(String($0)).objectValue) }
    }

    @Test func everyStatisticEqualsScipyAndEvidently() throws {
        let references = try Self.references()
        #expect(references.count == 28)
        var wrong: [String] = []
        for reference in references {
            let name = reference["case"]?.stringValue ?? "?"
            let compared = try DriftComparison(json: .object(reference)).json
            if compared["test"] != reference["test"] {
                wrong.append("\(name): test \(compared["test"]!.jsonString), Evidently \(reference["test"]!.jsonString)")
            }
            if compared["drift"] != reference["drift"] { wrong.append("\(name): drift \(compared["drift"]!.jsonString)") }
            for field in ["ks_stat", "ks_p", "wasserstein_normed", "psi", "js", "chi2_stat", "chi2_p"] {
                let expected = reference[field] ?? .null
                let got = compared[field] ?? .null
                switch (expected.doubleValue, got.doubleValue) {
                case (let e?, let g?):
                    if abs(e - g) > 1e-9 * max(1, abs(e)) { wrong.append("\(name): \(field) \(g), reference \(e)") }
                case (nil, nil):
                    break
                default:
                    if !(expected.isNull && got.isNull) && expected != got {
                        wrong.append("\(name): \(field) \(got.jsonString), reference \(expected.jsonString)")
                    }
                }
            }
        }
        #expect(wrong.isEmpty, "\(wrong.count) differences:\n\(wrong.joined(separator: "\n"))")
    }

    @Test func theExactAndAsymptoticKolmogorovSmirnovPathsAreBothTaken() throws {
        let small = KolmogorovSmirnov.test([1, 2, 3, 4, 5], [3, 4, 5, 6, 7, 8])
        #expect(small.exact && small.statistic == 0.5)
        let large = KolmogorovSmirnov.test((0..<12_000).map { Double($0) }, (0..<200).map { Double($0) * 60 + 0.5 })
        #expect(!large.exact && large.pValue > 0.05)
    }

    @Test func badLinesAreRefusedNamingTheField() {
        for (line, param) in [
            (#"{"kind": "ordinal", "reference": [1], "current": [2]}"#, "kind"),
            (#"{"kind": "numerical", "reference": ["a"], "current": [2]}"#, "reference"),
            (#"{"kind": "numerical", "reference": [], "current": [2]}"#, "reference"), (#"{"kind": "categorical", "current": ["a"]}"#, "reference"),
        ] {
            do {
                _ = try DriftComparison(json: try JSONParser.parse(line))
                Issue.record("\(line) was read")
            } catch { #expect((error as? KeelError)?.param == param, "\(line): \(error)") }
        }
    }
}
