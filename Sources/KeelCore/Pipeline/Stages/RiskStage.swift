import Foundation

/// Gives each request of a route with a risk policy its tier, and releases the answer only as the
/// tier allows: a `low` case as the model answered (`auto`); a `medium` one once its answer passes
/// the route's extra validation — an output schema, rules, a second model that agrees (`validated`); a `high` one, or a medium one that fails, only once
/// a person decided it. Such a case is stored as a ``Review`` before anything waits on it, so it
/// survives a restart and is decided on any replica; the client waits up to the route's
/// `review.wait_seconds` for the decision, then gets `202` and the review's id to poll. A decided
/// answer is released once: to the waiting client, a poll, or the route's callback.
///
/// An evaluation run's cases are tiered like any request but never held: a run measures the model.
/// When the tier may depend on the answer, the answer is read whole before any of it is released:
/// a stream is asked of the model as one completion and streamed to the client afterwards. A low
/// case whose tier cannot change with the answer passes through untouched.
public struct RiskStage: PipelineStage {
    private let reviews: any ReviewStore
    private let clock: KeelClock
    /// How often a waiting request looks for its decision (made on any replica).
    private let poll: Duration
    /// Where a second opinion is asked: the whole pipeline, as a request of its own.
    private let pipeline: PipelineHandle?

    public init(reviews: any ReviewStore, clock: KeelClock = .system, poll: Duration = .milliseconds(100), pipeline: PipelineHandle? = nil) {
        self.reviews = reviews
        self.clock = clock
        self.poll = poll
        self.pipeline = pipeline
    }

    public func handle(
        _ request: GatewayRequest,
        exchange: Exchange,
        next: (GatewayRequest) async throws -> GatewayResponse
    ) async throws -> GatewayResponse {
        guard case .chat(let chat) = request.payload, let route = request.route, let risk = route.risk else {
            return try await next(request)
        }
        let record = request.record ?? chat.prompt?.variables ?? chat.json["metadata"]?.objectValue ?? JSONObject()
        if !risk.readsAnswer, risk.assess(record).tier == .low {
            exchange.setRiskTier(.low)
            exchange.decision = .auto
            return try await next(request)
        }
        var whole = request
        whole.payload = .chat(chat.unstreamed())
        guard case .completion(let completion) = try await next(whole) else {
            throw KeelError(.internalError, "A held answer came back as something other than one completion.")
        }
        let text = completion.content ?? ""
        let assessment = risk.assess(record, answer: AnswerJSON.parse(text) ?? .string(text))
        exchange.setRiskTier(assessment.tier)
        // An evaluation measures the model's answers: its cases are tiered, never held for a person.
        if request.evaluationRun != nil { return release(completion, as: .auto, to: chat, exchange: exchange) }
        let policy = route.review ?? ReviewPolicy()
        var reasons = assessment.reasons
        switch assessment.tier {
        case .low:
            return release(completion, as: .auto, to: chat, exchange: exchange)
        case .medium:
            var failures = policy.failures(of: assessment)
            if failures.isEmpty, let agreement = policy.agreement {
                failures += [await disagreement(agreement, with: completion, asked: chat, by: request)].compactMap { $0 }
            }
            if failures.isEmpty { return release(completion, as: .validated, to: chat, exchange: exchange) }
            reasons += failures
        case .high:
            break
        }
        let now = clock.now()
        var review = Review(
            kind: .hold,
            requestID: exchange.id,
            route: route.name,
            team: request.caller?.team,
            keyID: request.caller?.id,
            tier: assessment.tier,
            category: policy.category(of: assessment),
            reasons: reasons,
            request: exchange.storable(chat.json),
            answer: exchange.storable(completion),
            stream: chat.stream,
            createdAt: now,
            dueAt: now.addingTimeInterval(policy.slaMinutes * 60)
        )
        // The wait leases the delivery, so that the callback does not race the waiting client.
        review.deliveryLease = policy.waitSeconds > 0 ? now.addingTimeInterval(policy.waitSeconds + 2) : nil
        try await uncancellable { [review] in try await reviews.holdReview(review) }
        exchange.reviewID = review.id
        exchange.addFinishReasons(completion.finishReasons)
        guard let decided = try await decision(of: review.id, within: policy.waitSeconds),
            try await uncancellable({ try await reviews.markDelivered(id: decided.id, at: clock.now()) })
        else { return .held(reviewID: review.id) }
        exchange.decision = decided.outcome
        if let rejection = decided.rejection { throw rejection }
        // The stored answer is masked under a PII route; an approved one is released as answered.
        let released = decided.decision?.verdict == .edited ? decided.released ?? completion : completion
        return release(released, as: decided.outcome ?? .humanApproved, to: chat, exchange: exchange)
    }

    /// Why the second model does not agree with `completion`, or `nil` when it does. It is asked
    /// the client's request through its own route, as a request of its own: logged, accounted and
    /// held to budgets like any other, under the same key.
    private func disagreement(
        _ agreement: ReviewPolicy.Agreement,
        with completion: ChatCompletion,
        asked chat: ChatCompletionRequest,
        by request: GatewayRequest
    ) async -> String? {
        guard let pipeline else { return "no second model can be asked here" }
        var body = chat.unstreamed().json
        body["model"] = .string(agreement.route)
        var second = GatewayRequest(operation: .chat, credential: nil, body: JSONValue.object(body).serialized())
        second.caller = request.caller
        second.evaluationRun = request.evaluationRun
        let (exchange, result) = await pipeline.handle(second)
        guard case .success(.completion(let answer)) = result else {
            return "the second model (\(agreement.route)) gave no answer (\(exchange.id))"
        }
        return agreement.disagreement(of: completion, with: answer).map { "\($0) (\(exchange.id))" }
    }

    /// The decided review, if it is decided within `seconds`; `nil` past them.
    private func decision(of id: String, within seconds: Double) async throws -> Review? {
        let deadline = clock.uptime() + .milliseconds(Int64(seconds * 1000))
        while true {
            if let review = try await reviews.review(id: id), review.decision != nil { return review }
            let left = deadline - clock.uptime()
            guard left > .zero else { return nil }
            try await Task.sleep(for: min(poll, left))
        }
    }

    private func release(_ completion: ChatCompletion, as decision: Decision, to chat: ChatCompletionRequest, exchange: Exchange) -> GatewayResponse {
        exchange.decision = decision
        return chat.stream ? .stream(ChatStream(replaying: completion), includeUsage: chat.includeUsage) : .completion(completion)
    }
}
