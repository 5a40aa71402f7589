import Foundation
import KeelCore

extension Evaluations {
    /// How a judge agrees with people: each labelled answer graded by the judge on `route` with
    /// `rubric`, the verdicts against the human labels. A reply without a verdict counts as the
    /// label `error`, so it shows in the matrix instead of vanishing.
    public struct Calibration: Sendable {
        public var agreement: LabelAgreement
        public var verdicts: [(label: HumanLabel, verdict: String, reason: String?)]
        public var cost: Money
    }

    /// The rubric of the `judge` scorer on `route` in some route's evaluation, when `rubric` is not given.
    public func rubric(forJudge route: String) throws -> String {
        for plan in configuration.routes.compactMap(\.evaluation) {
            for case .judge(let judgeRoute, let rubric) in plan.scorers where judgeRoute == route { return rubric }
        }
        throw KeelError(.missingField, "No route's evaluation has a judge on '\(route)': give the rubric (--rubric).", param: "rubric")
    }

    public func calibrate(
        judge route: String,
        rubric: String,
        labels: [HumanLabel],
        team: String?,
        concurrency: Int,
        progress: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws -> Calibration {
        let judge = Judge(rubric: rubric)
        let results = try await EvaluationGateway.with(configuration: configuration, storage: storage, team: team, logger: logger) { gateway in
            gateway.mark(RandomID.make(prefix: "calibration_"))
            return try await withThrowingTaskGroup(of: (Int, String, String?, Money).self) { group in
                var graded: [(Int, String, String?, Money)] = []
                for (index, item) in labels.enumerated() {
                    if index >= max(1, concurrency), let done = try await group.next() {
                        graded.append(done)
                        progress(graded.count)
                    }
                    group.addTask {
                        let messages = judge.messages(input: item.input, answer: item.answer, reference: item.reference)
                        let (reply, cost) = try await gateway.complete(messages, route: route)
                        guard let verdict = try? Judge.verdict(from: reply) else { return (index, "error", String(reply.prefix(200)), cost) }
                        return (index, verdict.label, verdict.reason, cost)
                    }
                }
                for try await done in group {
                    graded.append(done)
                    progress(graded.count)
                }
                return graded.sorted { $0.0 < $1.0 }
            }
        }
        let verdicts = results.map { (label: labels[$0.0], verdict: $0.1, reason: $0.2) }
        return Calibration(
            agreement: LabelAgreement(verdicts.map { (reference: $0.label.label, predicted: $0.verdict) }),
            verdicts: verdicts,
            cost: results.reduce(.zero) { $0 + $1.3 }
        )
    }
}
