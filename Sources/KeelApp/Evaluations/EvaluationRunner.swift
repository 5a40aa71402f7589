import Foundation
import KeelCore
import KeelStore
import Synchronization

/// Runs an evaluation's cases through an ``EvaluationGateway``, a few at a time, scores each answer
/// and stores its result before the case counts as done (``ResultCommits``): a run stopped by
/// anything, even SIGKILL, resumes with the cases that have no result, and none is asked twice
/// once its result is stored.
public struct EvaluationRunner: Sendable {
    public struct Progress: Sendable {
        public var total: Int
        public var finished: Int
        public var passed: Int
        public var failed: Int
        public var errors: Int
    }

    /// Where the time of the cases sent went: the pipeline's (the case's request and the scorers'
    /// model calls) and the harness's own (building the request, scoring, storing the result).
    public struct Timing: Sendable {
        public var cases: Int
        public var wall: Duration
        public var pipelineMs: [Double]
        public var harnessMs: [Double]

        public var meanHarnessMs: Double? { harnessMs.isEmpty ? nil : harnessMs.reduce(0, +) / Double(harnessMs.count) }
        public var meanPipelineMs: Double? { pipelineMs.isEmpty ? nil : pipelineMs.reduce(0, +) / Double(pipelineMs.count) }
    }

    public let gateway: EvaluationGateway

    public init(gateway: EvaluationGateway) { self.gateway = gateway }

    /// Sends every case of `run` that has no result yet, `concurrency` at a time, and marks the run
    /// finished when all have one. `answerSchema` is the prompt's, for the `json_schema` scorer.
    public func run(
        _ run: EvaluationRun,
        cases: [EvaluationCase],
        answerSchema: JSONValue?,
        concurrency: Int,
        progress: @escaping @Sendable (Progress) -> Void = { _ in }
    ) async throws -> Timing {
        let store = gateway.storage.evaluations
        let done = try await store.results(of: run.id)
        let finished = Set(done.map(\.caseID))
        let remaining = cases.filter { !finished.contains($0.id) }
        let tally = Tally(Progress(total: cases.count, finished: 0, passed: 0, failed: 0, errors: 0))
        for result in done { _ = tally.count(result) }
        progress(tally.progress.withLock { $0 })
        gateway.mark(run.id)
        let start = ContinuousClock.now
        let commits = ResultCommits(store: store, run: run.id)
        try await withThrowingTaskGroup(of: Void.self) { writer in
            writer.addTask { await commits.commit() }
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (index, item) in remaining.enumerated() {
                        if index >= max(1, concurrency) { try await group.next() }
                        group.addTask {
                            let (result, timing) = try await evaluate(item, of: run, answerSchema: answerSchema)
                            try await commits.store(result)
                            let total = (ContinuousClock.now - timing.started).milliseconds
                            tally.timings.withLock { $0.append((timing.pipelineMs, total - timing.pipelineMs)) }
                            progress(tally.count(result))
                        }
                    }
                    try await group.waitForAll()
                }
            } catch {
                commits.finish()
                throw error
            }
            commits.finish()
        }
        try await store.finish(run: run.id, at: Date())
        let measured = tally.timings.withLock { $0 }
        return Timing(cases: remaining.count, wall: .now - start, pipelineMs: measured.map(\.pipeline), harnessMs: measured.map(\.harness))
    }

    /// One case: its request through the pipeline, then every scorer, then the limits.
    private func evaluate(
        _ item: EvaluationCase,
        of run: EvaluationRun,
        answerSchema: JSONValue?
    ) async throws -> (EvaluationResult, (started: ContinuousClock.Instant, pipelineMs: Double)) {
        let started = ContinuousClock.now
        let body = Self.body(for: item, of: run)
        let sent = ContinuousClock.now
        let (record, response) = await gateway.send(.chat, body: body)
        var pipelineMs = (ContinuousClock.now - sent).milliseconds
        var result = EvaluationResult(
            caseID: item.id,
            outcome: .error,
            requestID: record?.id,
            latencyMs: record?.durationMs ?? pipelineMs,
            cost: record?.cost ?? .zero,
            tokens: record.map { ($0.inputTokens ?? 0) + ($0.outputTokens ?? 0) },
            finishedAt: Date()
        )
        switch response {
        case .success(.completion(let completion)):
            result.answer = completion.content ?? ""
        case .success:
            result.error = "the route answered something other than a chat completion"
        case .failure(let error):
            let presented = KeelError(presenting: error)
            result.error = "\(presented.code.name): \(presented.message)"
        }
        if let answer = result.answer {
            let input = Self.describe(item)
            for scorer in run.plan.scorers {
                let scoring = ContinuousClock.now
                do {
                    let (score, cost) = try await scorer.score(answer, expected: item.expected, schema: answerSchema, input: input, models: gateway)
                    result.scores.append(score)
                    result.scoringCost += cost
                } catch {
                    result.error = "\(scorer.name) scorer: \(KeelError(presenting: error).message)"
                }
                if scorer.callsModel { pipelineMs += (ContinuousClock.now - scoring).milliseconds }
                if result.error != nil { break }
            }
            result.scores += limits(run.plan, result)
            if result.error == nil { result.outcome = result.scores.allSatisfy(\.passed) ? .passed : .failed }
        }
        result.finishedAt = Date()
        return (result, (started, pipelineMs))
    }

    /// The plan's per-case limits as scores.
    private func limits(_ plan: EvaluationPlan, _ result: EvaluationResult) -> [Score] {
        var scores: [Score] = []
        if let maximum = plan.maximumLatencyMs {
            let within = result.latencyMs <= maximum
            scores.append(
                Score(
                    scorer: "latency",
                    passed: within,
                    value: result.latencyMs,
                    detail: within ? nil : "took \(Int(result.latencyMs)) ms, over \(Int(maximum)) ms"
                )
            )
        }
        if let maximum = plan.maximumCost {
            let within = result.cost <= maximum
            scores.append(
                Score(scorer: "cost", passed: within, value: result.cost.dollars, detail: within ? nil : "cost \(result.cost), over \(maximum)")
            )
        }
        return scores
    }

    /// The case's chat completion: the run's prompt version with the case's variables, then the
    /// case's own messages.
    static func body(for item: EvaluationCase, of run: EvaluationRun) -> JSONValue {
        var object = JSONObject([("model", .string(run.route))])
        if let prompt = run.prompt, let version = run.promptVersion {
            object["prompt"] = ["id": .string(prompt.name), "version": .string(String(version))]
            object["variables"] = .object(item.variables ?? JSONObject())
        }
        object["messages"] = .array((item.messages ?? []).map(JSONValue.object))
        return .object(object)
    }

    /// The case's input as a judge reads it.
    static func describe(_ item: EvaluationCase) -> String {
        if let variables = item.variables { return JSONValue.object(variables).jsonString }
        return (item.messages ?? []).map { "\($0["role"]?.stringValue ?? "user"): \($0["content"]?.stringValue ?? $0.jsonText)" }
            .joined(separator: "\n")
    }
}

/// A run's counts and timings as its cases finish.
private final class Tally: Sendable {
    let progress: Mutex<EvaluationRunner.Progress>
    let timings = Mutex<[(pipeline: Double, harness: Double)]>([])

    init(_ progress: EvaluationRunner.Progress) { self.progress = Mutex(progress) }

    /// Counts `result`; returns the progress with it.
    func count(_ result: EvaluationResult) -> EvaluationRunner.Progress {
        progress.withLock {
            $0.count(result)
            return $0
        }
    }
}

extension EvaluationRunner.Progress {
    mutating func count(_ result: EvaluationResult) {
        finished += 1
        switch result.outcome {
        case .passed: passed += 1
        case .failed: failed += 1
        case .error: errors += 1
        }
    }
}
