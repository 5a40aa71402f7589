import Foundation
import KeelCore
import KeelProviders
import KeelStore
import KeelTesting
import KeelTokenizer
import Testing

/// Workflows whose context Keel keeps, compacts and commits; idempotent repeats.
@Suite struct WorkflowTests {

    /// The gateway's pipeline on fresh storage, with `upstream` behind the route `r` (the model
    /// `small`, named `gpt-4o` upstream so that its tokens are counted exactly).
    struct Harness {
        let test: TestPipeline
        let records: RecordingObserver
        var store: any WorkflowStore { test.storage.workflows }
        var key: APIKey { test.key }

        static func with<T>(
            upstream: any Upstream,
            window: Int? = nil,
            context: String = "",
            _ body: (Harness) async throws -> T
        ) async throws -> T {
            let records = RecordingObserver()
            let yaml = """
                providers: { p: { type: simulated } }
                models:
                  small: { provider: p, upstream_model: gpt-4o\(window.map { ", context_window: \($0)" } ?? ""), price: { input: 1000, output: 2000 } }
                  summarizer: { provider: p, upstream_model: gpt-4o-mini }
                routes:
                  r: { model: small, max_attempts: 1\(context.isEmpty ? "" : ", context: \(context)") }
                """
            return try await TestPipeline.with(yaml, upstreams: ["p": upstream], observers: [records]) { test in
                try await body(Harness(test: test, records: records))
            }
        }

        /// The harness's key's workflow `id`.
        func ref(_ id: String) -> WorkflowRef { WorkflowRef(keyID: key.id, id: id) }

        func send(_ body: String, workflow: String? = nil, idempotencyKey: String? = nil) async -> Result<GatewayResponse, any Error> {
            await test.send(body, workflow: workflow, idempotencyKey: idempotencyKey).1
        }
    }

    static func chat(_ messages: String, stream: Bool = false, maxTokens: Int = 64) -> String {
        #"{"model":"r","stream":\#(stream),"max_tokens":\#(maxTokens),"messages":[\#(messages)]}"#
    }

    @Test func fiftyStepsOnASmallWindowKeepTheirPinnedContextAndNeverOverflow() async throws {
        // The simulator refuses what does not fit its 1,024-token window, as a real model does.
        let simulator = SimulatedUpstream(
            profile: SimulationProfile(latencyP50: .zero, latencyP99: .zero, tokensPerSecond: nil, outputTokens: 40...60, contextWindow: 1024)
        )
        let upstream = RecordingUpstream(simulator)
        try await Harness.with(upstream: upstream, window: 1024, context: "{ strategy: truncate }") { harness in
            let system = #"{"role":"system","content":"You are the ledger clerk of Keel."}"#
            let fact = #"{"role":"user","content":"Remember: the account number is 7781-22.","pinned":true}"#
            for step in 1...50 {
                let words = String(repeating: "detail \(step) ", count: 30)
                let messages = step == 1 ? "\(system),\(fact)" : #"{"role":"user","content":"Step \#(step): \#(words)"}"#
                let result = await harness.send(Self.chat(messages), workflow: "wf-50")
                guard case .success(.completion) = result else {
                    Issue.record("step \(step) failed: \(result)")
                    return
                }
            }
            let calls = upstream.requests.filter { $0.json["model"]?.stringValue == "gpt-4o" }
            #expect(calls.count == 50, "one upstream call a step")
            for (number, call) in calls.enumerated() {
                let texts = call.messages.compactMap(\.text)
                #expect(texts.first == "You are the ledger clerk of Keel.", "step \(number + 1) lost its system prompt")
                #expect(texts.contains("Remember: the account number is 7781-22."), "step \(number + 1) lost its pinned fact")
                #expect(call.json["messages"]?.arrayValue?.allSatisfy { $0.objectValue?["pinned"] == nil } == true, "Keel's mark stays in Keel")
                #expect(EstimatingTokenCounter.inputTokens(of: call) + 64 <= 1024)
            }
            let steps = try await harness.store.steps(of: harness.ref("wf-50"))
            #expect(steps.count == 50 && steps.allSatisfy { $0.status == .completed })
            // Storage grows by each step's own messages, never by a copy of the history.
            #expect(steps.map(\.input.count) == [2] + Array(repeating: 1, count: 49))
            let compacted = steps.compactMap(\.compaction)
            #expect(!compacted.isEmpty && compacted.allSatisfy { $0.strategy == .truncate && $0.tokensSaved > 0 })
            #expect(calls.last!.messages.count < 50, "old turns were dropped")
            #expect(calls[1].messages.count == 4, "step 2: the system prompt, the fact, step 1's answer, and step 2")
        }
    }

    @Test func summarizeCondensesDroppedTurnsIntoACheckpointThatLaterStepsReuse() async throws {
        let upstream = RecordingUpstream(
            SimulatedUpstream(profile: SimulationProfile(latencyP50: .zero, latencyP99: .zero, tokensPerSecond: nil, outputTokens: 20...20))
        )
        try await Harness.with(upstream: upstream, context: "{ strategy: summarize, context_tokens: 600, summarizer: summarizer }") { harness in
            for step in 1...12 {
                let words = String(repeating: "fact\(step) ", count: 40)
                let result = await harness.send(Self.chat(#"{"role":"user","content":"\#(words)"}"#), workflow: "wf-sum")
                guard case .success = result else {
                    Issue.record("step \(step): \(result)")
                    return
                }
            }
            let summaries = upstream.requests.filter { $0.json["model"]?.stringValue == "gpt-4o-mini" }
            #expect(!summaries.isEmpty, "the summarizer was asked")
            let last = try #require(upstream.requests.last { $0.json["model"]?.stringValue == "gpt-4o" })
            #expect(last.messages.contains { $0.text?.hasPrefix("Summary of the earlier steps") == true }, "later steps start from the summary")
            let steps = try await harness.store.steps(of: harness.ref("wf-sum"))
            #expect(steps.contains { $0.compaction?.strategy == .summarize && $0.compaction!.droppedSteps > 0 })
            #expect(try await harness.store.history(of: harness.ref("wf-sum"))?.history.summary != nil, "kept as a checkpoint")
        }
    }

    @Test func failRefusesAnOverflowingStepWithoutCallingTheModel() async throws {
        let upstream = ScriptedUpstream(Array(repeating: .reply("ok", usage: TokenUsage(inputTokens: 1, outputTokens: 1)), count: 10))
        try await Harness.with(upstream: upstream, context: "{ strategy: fail, context_tokens: 120 }") { harness in
            let long = String(repeating: "word ", count: 60)
            _ = await harness.send(Self.chat(#"{"role":"user","content":"\#(long)"}"#), workflow: "wf-fail")
            let refused = await harness.send(Self.chat(#"{"role":"user","content":"\#(long)"}"#), workflow: "wf-fail")
            guard case .failure(let error as KeelError) = refused else {
                Issue.record("expected a refusal, got \(refused)")
                return
            }
            #expect(error.code == .contextLengthExceeded && error.status == 400)
            #expect(upstream.requests.count == 1, "the refused step never reached the model")
        }
    }

    @Test func twentyConcurrentRepeatsOfAnIdempotencyKeyMakeOneUpstreamCall() async throws {
        let upstream = RecordingUpstream(
            SimulatedUpstream(profile: SimulationProfile(latencyP50: .milliseconds(200), latencyP99: .milliseconds(200), tokensPerSecond: nil))
        )
        try await Harness.with(upstream: upstream) { harness in
            let ids = await withTaskGroup(of: String?.self) { group in
                for number in 0..<20 {
                    group.addTask {
                        let body = Self.chat(#"{"role":"user","content":"pay invoice 42"}"#, stream: number % 2 == 1)
                        switch await harness.send(body, idempotencyKey: "pay-42") {
                        case .success(.completion(let completion)): return completion.id
                        case .success(.stream(let chunks, _)):
                            var id: String?
                            do { for try await chunk in chunks { id = id ?? chunk.json["id"]?.stringValue } } catch { return nil }
                            return id
                        default: return nil
                        }
                    }
                }
                return await group.reduce(into: [String?]()) { $0.append($1) }
            }
            #expect(upstream.requests.count == 1, "exactly one upstream call")
            #expect(ids.count == 20 && Set(ids).count == 1 && ids[0] != nil, "every repeat got the first answer, streamed or not: \(ids)")
            let records = harness.records.records
            #expect(records.filter { $0.replayOf == nil }.count == 1 && records.filter { $0.replayOf != nil }.allSatisfy { $0.cost == nil })

            let reused = await harness.send(Self.chat(#"{"role":"user","content":"pay invoice 43"}"#), idempotencyKey: "pay-42")
            guard case .failure(let error as KeelError) = reused else {
                Issue.record("expected a refusal, got \(reused)")
                return
            }
            #expect(error.code == .idempotencyKeyReused && error.status == 400)
        }
    }

    @Test func aFailedRequestFreesItsKeyForARetry() async throws {
        let upstream = ScriptedUpstream([
            .fail(UpstreamError(.serverError, "boom", status: 500)), .reply("second", usage: TokenUsage(inputTokens: 1, outputTokens: 1)),
        ])
        try await Harness.with(upstream: upstream) { harness in
            let body = Self.chat(#"{"role":"user","content":"hello"}"#)
            guard case .failure = await harness.send(body, idempotencyKey: "k") else {
                Issue.record("the first call fails")
                return
            }
            guard case .success(.completion(let completion)) = await harness.send(body, idempotencyKey: "k") else {
                Issue.record("the retry runs")
                return
            }
            #expect(completion.content == "second" && upstream.requests.count == 2)
        }
    }

    @Test func executionFiguresCountCompletionRetriesCostPerCompletedWorkflowAndConsistency() async throws {
        let usage = TokenUsage(inputTokens: 10, outputTokens: 5)  // $0.02 a step at the harness's prices
        let upstream = ScriptedUpstream([
            .reply("Four.", usage: usage), .reply("ok", usage: usage),  // "done": two steps, then completed
            .reply("Four.", usage: usage),  // "again": one step, then completed
            .fail(UpstreamError(.serverError, "boom", status: 500)), .reply("It is four.", usage: usage),  // "retry": left open
        ])
        try await Harness.with(upstream: upstream) { harness in
            let question = Self.chat(#"{"role":"user","content":"What is 2+2?"}"#)
            for (workflow, body) in [("done", question), ("done", Self.chat(#"{"role":"user","content":"thanks"}"#)), ("again", question)] {
                guard case .success = await harness.send(body, workflow: workflow) else {
                    Issue.record("\(workflow) failed")
                    return
                }
            }
            guard case .failure = await harness.send(question, workflow: "retry"), case .success = await harness.send(question, workflow: "retry")
            else {
                Issue.record("the retry workflow fails once, then answers")
                return
            }
            for workflow in ["done", "again"] { _ = try await harness.store.complete(harness.ref(workflow), now: Date()) }

            // Days are calendar days (UTC): two of them hold the workflows two hours on, near midnight too.
            func report(hoursLater: Double, days: Int = 1) async throws -> WorkflowReport {
                let now = Date().addingTimeInterval(hoursLater * 3600)
                let clock = KeelClock(now: { now }, uptime: { .zero }, sleep: { _ in })
                return try await WorkflowReporter(store: harness.store, idleTime: .seconds(3600), clock: clock).report(days: days)
            }
            let line = try #require(try await report(hoursLater: 0, days: 2).lines.first)
            #expect(line.route == "r" && line.started == 3 && line.completed == 2 && line.active == 1 && line.abandoned == 0)
            #expect(line.completionRate == 2.0 / 3 && line.steps == 5 && line.retries == 1, "the failed step had to be sent again")
            #expect(line.completedTokens == 45 && line.tokensPerCompletedWorkflow == 22.5)
            #expect(line.costPerCompletedWorkflow == Money(dollars: 0.03) && line.costPerStep == Money(dollars: 0.016))
            // "What is 2+2?" was answered "Four.", "Four." and "It is four.": one identical pair in three.
            #expect(line.consistency.repeatedInputs == 1 && line.consistency.comparisons == 3 && line.consistency.identicalShare == 1.0 / 3)
            #expect(abs((line.consistency.meanSimilarity ?? 0) - 5.0 / 9) < 1e-9)

            let later = try #require(try await report(hoursLater: 2, days: 2).lines.first)
            #expect(later.abandoned == 1 && later.active == 0, "idle for longer than an hour")
            #expect(try await report(hoursLater: 72, days: 2).lines.isEmpty, "started before the last two days")
        }
    }

    @Test func similarityIsOneMinusTheWordEditDistanceOverTheLongerAnswer() {
        #expect(OutputConsistency.similarity("The answer is four", "the  answer IS four") == 1, "case and spacing do not count")
        #expect(OutputConsistency.similarity("The answer is four", "The answer is five") == 0.75)
        #expect(OutputConsistency.similarity("yes", "no") == 0 && OutputConsistency.similarity("", "") == 1)
        #expect(OutputConsistency.similarity("a b c d", "a c d") == 0.75, "one word dropped")
        let consistency = OutputConsistency(answers: [["x", "x", "x"], ["only once"]])
        #expect(consistency.repeatedInputs == 1 && consistency.identicalShare == 1 && consistency.meanSimilarity == 1)
        #expect(OutputConsistency(answers: [["alone"]]).identicalShare == nil, "nothing repeated, nothing to say")
    }
}
