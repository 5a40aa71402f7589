/// Last stage: calls upstreams under the route's policy and records every attempt on the ledger.
///
/// Targets are tried in the route's order for this request (a balanced deployment drawn by weight,
/// then the others, then the fallbacks); a target whose breaker is open is skipped at no cost.
/// A retryable failure is retried on the same target after a jittered backoff (or the upstream's
/// `Retry-After`, up to the backoff's cap) when the provider's retry budget and the deadline allow,
/// and otherwise falls to the next target. Each attempt's timeout is what is left of the route's
/// latency budget, shared evenly with the later targets still reachable, so that a hanging primary
/// leaves its fallbacks time to answer. A stream is only handed on once its first chunk has
/// arrived, so a failure before the first byte falls back transparently; after that, the stream
/// itself ends with a timeout if it runs past the budget.
public struct InferStage: PipelineStage {
    private let upstreams: [String: any Upstream]
    private let health: UpstreamHealth
    private let backoff: Backoff
    private let clock: KeelClock
    private let jitter: @Sendable () -> Double

    /// - Parameter upstreams: the configured providers by name.
    public init(
        upstreams: [String: any Upstream],
        health: UpstreamHealth,
        backoff: Backoff = Backoff(),
        clock: KeelClock = .system,
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.upstreams = upstreams
        self.health = health
        self.backoff = backoff
        self.clock = clock
        self.jitter = jitter
    }

    public func handle(
        _ request: GatewayRequest,
        exchange: Exchange,
        next: (GatewayRequest) async throws -> GatewayResponse
    ) async throws -> GatewayResponse {
        let route = try request.requireRoute()
        let policy = route.policy
        let deadline = policy.latencyBudget.map { exchange.elapsed + $0 }
        var attempts = 0
        var lastFailure: UpstreamError?
        let order = route.attemptOrder(draw: jitter())
        for (position, deployment) in order.enumerated() {
            let laterTargets = order.count - position - 1
            var retries = 0
            while attempts < policy.maxAttempts {
                if let breaker = health.breaker(for: deployment), !breaker.allowsCall() {
                    lastFailure = lastFailure ?? UpstreamError(.unavailable, "the circuit breaker of \(deployment.name) is open")
                    break
                }
                let remaining = deadline.map { $0 - exchange.elapsed }
                if let remaining, remaining <= .zero { throw lastFailure ?? UpstreamError(.timeout, "the latency budget was spent") }
                attempts += 1
                // The budget earns from requests an upstream really receives, not from skipped targets.
                if retries == 0 { health.budget(for: deployment)?.recordRequest() }
                do {
                    let timeout = remaining.map { $0 / (1 + reachable(order.dropFirst(position + 1))) }
                    let response = try await attempt(request, on: deployment, within: timeout, deadline: deadline, exchange: exchange)
                    health.breaker(for: deployment)?.record(success: true)
                    return response
                } catch let failure as UpstreamError {
                    health.breaker(for: deployment)?.record(success: false)
                    lastFailure = failure
                    guard policy.retryOn.contains(failure.kind) else {
                        // A target refusing Keel's own credentials or model id cannot answer; the next may.
                        if failure.kind == .misconfigured { break }
                        throw failure
                    }
                    // Keep an attempt for each later target.
                    guard attempts + laterTargets < policy.maxAttempts,
                        let wait = retryWait(after: failure, retry: retries, deployment: deployment, deadline: deadline, exchange: exchange)
                    else { break }
                    retries += 1
                    try await clock.sleep(wait)
                }
            }
        }
        throw lastFailure ?? UpstreamError(.unavailable, "no target of route \(route.name) could be tried")
    }

    /// The targets among `later` that a failure could still fall to: those whose breaker is not open.
    private func reachable(_ later: ArraySlice<ModelDeployment>) -> Int {
        later.count { health.breaker(for: $0)?.state != .open }
    }

    /// The wait before retrying the same target, or `nil` to move on: the breaker must still be closed,
    /// the provider's budget must pay for it, and the wait must leave time before the deadline.
    private func retryWait(
        after failure: UpstreamError,
        retry: Int,
        deployment: ModelDeployment,
        deadline: Duration?,
        exchange: Exchange
    ) -> Duration? {
        guard health.breaker(for: deployment)?.state != .open else { return nil }
        let wait = failure.retryAfter.map { Duration.seconds($0) } ?? backoff.delay(beforeRetry: retry, unit: jitter())
        // A longer Retry-After goes back to the client, who may wait; Keel does not hold the request.
        guard wait <= backoff.cap else { return nil }
        if let deadline, exchange.elapsed + wait >= deadline { return nil }
        guard health.budget(for: deployment)?.tryRetry() ?? true else { return nil }
        return wait
    }

    /// One upstream call, which must answer (a stream: send its first chunk) within `timeout` and
    /// finish by the request's `deadline`, recorded on the ledger.
    private func attempt(
        _ request: GatewayRequest,
        on deployment: ModelDeployment,
        within timeout: Duration?,
        deadline: Duration?,
        exchange: Exchange
    ) async throws
        -> GatewayResponse
    {
        guard let upstream = upstreams[deployment.provider] else {
            throw KeelError(.internalError, "No provider named '\(deployment.provider)' is configured.")
        }
        let started = exchange.startAttempt(to: deployment)
        do {
            let response = try await withTimeout(timeout) {
                try await call(upstream, request, deployment, deadline: deadline, exchange: exchange, started: started)
            }
            if case .stream = response { return response }
            exchange.finishAttempt(to: deployment, started: started, failure: nil)
            return response
        } catch let failure as UpstreamError {
            exchange.finishAttempt(to: deployment, started: started, failure: failure)
            throw failure
        }
    }

    private func call(
        _ upstream: any Upstream,
        _ request: GatewayRequest,
        _ deployment: ModelDeployment,
        deadline: Duration?,
        exchange: Exchange,
        started: Duration
    ) async throws -> GatewayResponse {
        switch request.payload {
        case .unread:
            throw KeelError(.internalError, "The pipeline reached inference with an unread body.")
        case .chat(let chat) where chat.stream:
            var stream = try await upstream.stream(chat.forUpstream(model: deployment.upstreamModel)).prefetchingFirstChunk()
            if let deadline { stream = stream.ending(within: deadline - exchange.elapsed) }
            let observed = stream.observed { ending in
                switch ending {
                case .finished, .cancelled: exchange.finishAttempt(to: deployment, started: started, failure: nil)
                case .failed(let error):
                    let failure = error as? UpstreamError ?? UpstreamError(.streamInterrupted, "the stream failed: \(error)")
                    exchange.finishAttempt(to: deployment, started: started, failure: failure)
                    health.breaker(for: deployment)?.record(success: false)
                }
            }
            return .stream(observed, includeUsage: chat.includeUsage)
        case .chat(let chat):
            return .completion(try await upstream.complete(chat.forUpstream(model: deployment.upstreamModel)))
        case .embeddings(let embeddings):
            return .embeddings(try await upstream.embed(embeddings.forUpstream(model: deployment.upstreamModel)))
        }
    }

    /// Runs `operation`, cancelling it with a timeout failure when `timeout` passes first. The timer
    /// is real time: an upstream call takes real time whatever clock paces Keel's own waits.
    private func withTimeout(
        _ timeout: Duration?,
        _ operation: @escaping @Sendable () async throws -> GatewayResponse
    ) async throws
        -> GatewayResponse
    {
        guard let timeout else { return try await operation() }
        return try await withThrowingTaskGroup(of: GatewayResponse?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await CancellableSleep.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let response = first else {
                throw UpstreamError(.timeout, "no answer within the latency budget")
            }
            return response
        }
    }
}
