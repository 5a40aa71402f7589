import Foundation
import KeelCore
import Testing

/// Wilson intervals, McNemar's exact test and Cohen's κ against the values scipy, statsmodels and
/// scikit-learn give for seeded inputs (`Fixtures/statistics/generate.py` made them).
@Suite struct EvaluationStatisticsTests {
    static func references() throws -> JSONObject {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/statistics/references", withExtension: "json"))
        return try #require(try JSONParser.parse(try Data(contentsOf: url)).objectValue)
    }

    @Test func wilsonIntervalsMatchScipy() throws {
        let cases = try #require(try Self.references()["wilson"]?.arrayValue)
        #expect(cases.count == 30)
        for item in cases.compactMap(\.objectValue) {
            let k = try #require(item["successes"]?.doubleValue)
            let n = try #require(item["trials"]?.doubleValue)
            let interval = WilsonInterval(successes: k, trials: n)
            let lower = try #require(item["lower"]?.doubleValue)
            let upper = try #require(item["upper"]?.doubleValue)
            #expect(abs(interval.lower - lower) < 1e-12 && abs(interval.upper - upper) < 1e-12, "\(k)/\(n): \(interval) vs \(lower)…\(upper)")
        }
    }

    @Test func mcNemarMatchesStatsmodelsAndBinomtest() throws {
        let cases = try #require(try Self.references()["mcnemar"]?.arrayValue)
        for item in cases.compactMap(\.objectValue) {
            let fixed = Int(try #require(item["fixed"]?.integerValue))
            let regressed = Int(try #require(item["regressed"]?.integerValue))
            let p = McNemarTest.pValue(fixed: fixed, regressed: regressed)
            let reference = try #require(item["p_value"]?.doubleValue)
            let binomial = try #require(item["binomtest"]?.doubleValue)
            #expect(abs(p - reference) < 1e-9 * max(1, reference), "\(fixed) fixed, \(regressed) regressed: \(p) vs \(reference)")
            #expect(abs(p - binomial) < 1e-9 * max(1, binomial))
        }
    }

    @Test func cohensKappaMatchesScikitLearn() throws {
        let cases = try #require(try Self.references()["kappa"]?.arrayValue)
        for item in cases.compactMap(\.objectValue) {
            let reference = (item["reference"]?.arrayValue ?? []).compactMap(\.stringValue)
            let predicted = (item["predicted"]?.arrayValue ?? []).compactMap(\.stringValue)
            let agreement = LabelAgreement(zip(reference, predicted).map { (reference: $0, predicted: $1) })
            let kappa = try #require(agreement.kappa)
            let expected = try #require(item["kappa"]?.doubleValue)
            #expect(abs(kappa - expected) < 1e-12, "\(reference.count) labels: \(kappa) vs \(expected)")
            let diagonal = agreement.labels.indices.reduce(0) { $0 + agreement.matrix[$1][$1] }
            #expect(agreement.agreement == Double(diagonal) / Double(reference.count))
            #expect(agreement.matrix.flatMap { $0 }.reduce(0, +) == reference.count)
        }
    }

    @Test func kappaIsUndefinedWhenOneLabelIsUsedThroughout() {
        let same = LabelAgreement(Array(repeating: (reference: "pass", predicted: "pass"), count: 5))
        #expect(same.agreement == 1 && same.kappa == nil)
        #expect(LabelAgreement([]).kappa == nil && LabelAgreement([]).agreement == nil)
        let crossed = LabelAgreement([(reference: "pass", predicted: "fail"), (reference: "fail", predicted: "pass")])
        #expect(crossed.kappa == -1 && crossed.count(reference: "pass", predicted: "fail") == 1)
    }
}
