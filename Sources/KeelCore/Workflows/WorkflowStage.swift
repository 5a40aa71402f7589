import Foundation

/// Makes a request a step of a workflow (`x-keel-workflow-id`, or `metadata.workflow_id`): the
/// client sends only its new messages, Keel rebuilds the context from the stored steps — pinned
/// messages always, then the summary, then as many recent turns as the route's context budget
/// holds, compacted by the route's strategy — and commits the step before its answer is released
/// (a stream's before its end reaches the client).
public struct WorkflowStage: PipelineStage {
    /// Asks `deployment` for a completion; used to write summaries.
    public typealias Complete = @Sendable (_ request: ChatCompletionRequest, _ deployment: ModelDeployment) async throws -> ChatCompletion

    private let store: any WorkflowStore
    private let counter: any TokenCounter
    private let complete: Complete
    /// The replica running the steps, whose lease covers them.
    private let replica: String
    private let clock: KeelClock

    public init(
        store: any WorkflowStore,
        counter: any TokenCounter,
        replica: String,
        clock: KeelClock = .system,
        complete: @escaping Complete
    ) {
        self.store = store
        self.counter = counter
        self.replica = replica
        self.clock = clock
        self.complete = complete
    }

    public func handle(
        _ request: GatewayRequest,
        exchange: Exchange,
        next: (GatewayRequest) async throws -> GatewayResponse
    ) async throws -> GatewayResponse {
        guard case .chat(let chat) = request.payload,
            let id = request.workflowID ?? chat.json["metadata"]?.objectValue?["workflow_id"]?.stringValue
        else { return try await next(request) }
        guard Workflow.isValidID(id) else {
            throw KeelError(
                .invalidValue,
                "The workflow id must be 1 to 128 letters, digits, '-', '_', '.' or ':'.",
                param: "x-keel-workflow-id"
            )
        }
        let route = try request.requireRoute()
        guard let caller = request.caller else { throw KeelError(.internalError, "A workflow step reached its stage unauthenticated.") }
        // Named within the caller's key: another key's workflow of the same id is another workflow.
        let ref = WorkflowRef(keyID: caller.id, id: id)
        let stored = try await store.history(of: ref)
        if let workflow = stored?.workflow { try Self.admit(workflow) }
        exchange.setWorkflow(id)

        // The request's own instructions go first but are not the step's: the next step brings its own.
        let instructions = chat.messages.prefix(request.instructionCount).map(\.json)
        let input = chat.messages.dropFirst(request.instructionCount).map(\.json)
        let (context, compaction) = try await buildContext(
            of: ref,
            history: stored?.history ?? WorkflowHistory(),
            instructions: instructions,
            input: input,
            chat: chat,
            route: route
        )
        var step = WorkflowStep(
            workflow: ref,
            requestID: exchange.id,
            idempotencyKey: request.idempotencyKey,
            input: input.map(exchange.storable),
            compaction: compaction,
            startedAt: clock.now()
        )
        guard let number = try await store.beginStep(step, team: caller.team, route: route.name, replica: replica) else {
            // Completed since it was read.
            throw Self.completed(id)
        }
        step.number = number
        exchange.workflowStep = number
        let running = step
        var forwarded = request
        forwarded.payload = .chat(context)

        let response: GatewayResponse
        do {
            response = try await next(forwarded)
        } catch {
            await finish(running, status: .failed, output: nil, error: error, exchange: exchange)
            throw error
        }
        switch response {
        case .completion(let completion):
            let done = finished(running, status: .completed, output: completion.message, error: nil, exchange: exchange)
            // Committed before the answer is released: a failure here fails the request, which the
            // client may retry (with its Idempotency-Key, at no second charge).
            try await uncancellable { [store] in try await store.finishStep(done) }
            return response
        case .stream(let stream, let includeUsage):
            let committed = stream.finishing { ending, completion in
                switch ending {
                case .finished:
                    await finish(running, status: .completed, output: completion?.message, error: nil, exchange: exchange)
                case .failed(let error):
                    await finish(running, status: .failed, output: nil, error: error, exchange: exchange)
                case .cancelled:
                    await finish(running, status: .failed, output: nil, error: CancellationError(), exchange: exchange)
                }
            }
            return .stream(committed, includeUsage: includeUsage)
        case .embeddings, .held:
            return response
        }
    }

    /// Refuses a step of a completed workflow.
    private static func admit(_ workflow: Workflow) throws {
        guard workflow.status == .open else { throw completed(workflow.id) }
    }

    private static func completed(_ id: String) -> KeelError {
        KeelError(.workflowCompleted, "The workflow '\(id)' is completed; start a new one to continue.", param: "x-keel-workflow-id")
    }

    /// The step's request with the workflow's context, compacted to the route's budget.
    private func buildContext(
        of ref: WorkflowRef,
        history: WorkflowHistory,
        instructions: [JSONObject],
        input: [JSONObject],
        chat: ChatCompletionRequest,
        route: Route
    ) async throws -> (ChatCompletionRequest, Compaction?) {
        let policy = route.policy.context
        let target = route.targets[0]
        let budget = Self.budget(for: chat, route: route)
        let count: ([JSONObject]) throws -> Int = { messages in counter.inputTokens(of: try chat.replacingMessages(messages), for: target) }
        // What the summary may take: room kept for it when turns must go.
        let summaryRoom = policy.strategy == .summarize ? budget.map { min(1024, $0 / 4) } : nil
        var plan = try ContextPlan.plan(
            history: history,
            summary: history.summary?.text,
            instructions: instructions,
            new: input,
            budget: budget.map { $0 - (summaryRoom ?? 0) },
            count: count
        )
        if let budget, plan.tokens > budget || (!plan.dropped.isEmpty && policy.strategy == .fail) {
            throw KeelError(
                .contextLengthExceeded,
                "This workflow's context needs \(plan.tokens + plan.droppedTokens) input tokens, over the route's budget of \(budget) "
                    + "(its pinned messages and the new ones alone need \(plan.tokens)). "
                    + (policy.strategy == .fail ? "The route compacts nothing ('fail')." : "Send fewer or shorter messages."),
                param: "messages"
            )
        }
        guard !plan.dropped.isEmpty else { return (try chat.replacingMessages(plan.messages), nil) }
        var compaction = Compaction(strategy: policy.strategy, droppedSteps: plan.dropped.count, tokensSaved: plan.droppedTokens)
        if policy.strategy == .summarize, let summarizer = policy.summarizer, let room = summaryRoom {
            let written = try await summarize(plan.dropped, after: history.summary?.text, room: room, with: summarizer)
            let throughStep = plan.dropped[plan.dropped.count - 1].step
            try await store.saveSummary(route.pii?.redacted(written.text) ?? written.text, of: ref, throughStep: throughStep, now: clock.now())
            var rest = history
            rest.turns.removeFirst(plan.dropped.count)
            let before = plan.tokens
            plan = try ContextPlan.plan(history: rest, summary: written.text, instructions: instructions, new: input, budget: budget, count: count)
            compaction.droppedSteps += plan.dropped.count
            compaction.tokensSaved += plan.droppedTokens - (plan.tokens - before)
            compaction.cost = written.cost
        }
        return (try chat.replacingMessages(plan.messages), compaction)
    }

    /// The most input tokens a step of `chat` may send on `route`.
    static func budget(for chat: ChatCompletionRequest, route: Route) -> Int? {
        if let tokens = route.policy.context.contextTokens { return tokens }
        guard let window = route.targets.compactMap(\.contextWindow).min() else { return nil }
        return window - (chat.maxOutputTokens ?? min(ContextPolicy.defaultOutputReserve, window / 4))
    }

    /// Condenses `turns` (and the summary before them) into one summary of at most `room` tokens.
    private func summarize(
        _ turns: [WorkflowHistory.Turn],
        after previous: String?,
        room: Int,
        with deployment: ModelDeployment
    ) async throws -> (text: String, cost: Money) {
        var transcript = previous.map { "Summary so far:\n\($0)\n\n" } ?? ""
        for message in turns.flatMap(\.messages) {
            transcript += "\(message["role"]?.stringValue ?? "user"): \(message["content"]?.stringValue ?? message.jsonText)\n"
        }
        let request = try ChatCompletionRequest(
            json: [
                "model": .string(deployment.name), "max_tokens": JSONValue(room),
                "messages": [
                    [
                        "role": "system",
                        "content":
                            "Condense the conversation below into a summary that keeps every fact, decision and open question needed to continue it. Answer with the summary only.",
                    ],
                    ["role": "user", "content": .string(transcript)],
                ],
            ]
        )
        let completion = try await complete(request, deployment)
        return (completion.content ?? "", completion.usage.map(deployment.price.cost(of:)) ?? .zero)
    }

    private func finished(
        _ step: WorkflowStep,
        status: WorkflowStep.Status,
        output: JSONObject?,
        error: (any Error)?,
        exchange: Exchange
    )
        -> WorkflowStep
    {
        var step = step
        step.status = status
        step.output = output.map(exchange.storable)
        step.usage = exchange.usage?.usage
        step.cost = exchange.cost
        step.attempts = exchange.attemptCount
        step.errorCode = error.map { KeelError(presenting: $0).code.name }
        step.finishedAt = clock.now()
        return step
    }

    private func finish(_ step: WorkflowStep, status: WorkflowStep.Status, output: JSONObject?, error: (any Error)?, exchange: Exchange) async {
        let step = finished(step, status: status, output: output, error: error, exchange: exchange)
        _ = try? await uncancellable { [store] in try await store.finishStep(step) }
    }
}
