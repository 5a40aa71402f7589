import Foundation
import Synchronization

/// `Idempotency-Key`: the first request with a key runs; its repeats get its stored answer without
/// an upstream call or a charge, and a repeat that arrives while the first runs — on this replica
/// or another — waits for it (up to ``maximumWait``). Answers are kept durably for the configured
/// time; a key whose request failed, or whose replica stopped with it (its lease expired), is free
/// to run again.
public struct IdempotencyStage: PipelineStage {
    private let store: any IdempotencyStore
    private let lifetime: Duration
    private let replica: String
    /// How long a repeat waits for a first request running on another replica.
    private let maximumWait: Duration
    private let clock: KeelClock
    private let running = RunningKeys()

    public init(
        store: any IdempotencyStore,
        lifetime: Duration = .seconds(86_400),
        replica: String,
        maximumWait: Duration = .seconds(60),
        clock: KeelClock = .system
    ) {
        self.store = store
        self.lifetime = lifetime
        self.replica = replica
        self.maximumWait = maximumWait
        self.clock = clock
    }

    public func handle(
        _ request: GatewayRequest,
        exchange: Exchange,
        next: (GatewayRequest) async throws -> GatewayResponse
    ) async throws -> GatewayResponse {
        guard let name = request.idempotencyKey, let caller = request.caller else { return try await next(request) }
        let key = IdempotencyKey(scope: caller.id, key: name)
        let fingerprint = Self.fingerprint(request)
        // Repeats in this process wait for the first; across replicas the store decides.
        while let first = running.join(key) { await first.wait() }
        let claim: IdempotencyClaim
        do {
            claim = try await claimWaiting(key, fingerprint: fingerprint, requestID: exchange.id)
        } catch {
            running.leave(key)
            throw error
        }
        switch claim {
        case .answered(let stored, let original):
            running.leave(key)
            exchange.setReplay(of: original)
            return stored.response(stream: request.wantsStream, includeUsage: request.wantsUsage)
        case .running:
            running.leave(key)
            throw KeelError(.idempotencyKeyInUse, "A request with this Idempotency-Key is still in progress; retry when it has finished.")
        case .mismatch:
            running.leave(key)
            throw KeelError(
                .idempotencyKeyReused,
                "This Idempotency-Key was used with a different request body; use a new key for a new request.",
                param: "Idempotency-Key"
            )
        case .claimed:
            return try await answer(request, key: key, exchange: exchange, next: next)
        }
    }

    /// Claims the key, waiting — polling, 20 ms at first and at most 250 ms apart — while another
    /// replica runs it, until it is answered, freed, or ``maximumWait`` passes.
    private func claimWaiting(_ key: IdempotencyKey, fingerprint: String, requestID: String) async throws -> IdempotencyClaim {
        let started = clock.uptime()
        var pause = Duration.milliseconds(20)
        while true {
            let now = clock.now()
            let claim = try await store.claim(
                key,
                fingerprint: fingerprint,
                requestID: requestID,
                replica: replica,
                now: now,
                expires: now.addingTimeInterval(lifetime.seconds)
            )
            guard case .running = claim, clock.uptime() - started + pause < maximumWait else { return claim }
            try await clock.sleep(pause)
            pause = min(pause * 2, .milliseconds(250))
        }
    }

    /// Runs the claiming request and keeps its answer (a stream's once it has finished).
    private func answer(
        _ request: GatewayRequest,
        key: IdempotencyKey,
        exchange: Exchange,
        next: (GatewayRequest) async throws -> GatewayResponse
    ) async throws -> GatewayResponse {
        let settle: @Sendable (StoredResponse?) async -> Void = { [store, running] stored in
            _ = try? await uncancellable {
                if let stored { try await store.answer(key, with: stored) } else { try await store.release(key) }
            }
            running.leave(key)
        }
        let response: GatewayResponse
        do {
            response = try await next(request)
        } catch {
            await settle(nil)
            throw error
        }
        switch response {
        // Kept as the route's PII policy lets Keel store it: a repeat gets the masked answer.
        case .completion(let completion):
            await settle(.completion(exchange.storable(completion)))
        case .embeddings(let embeddings):
            await settle(.embeddings(embeddings))
        case .held(let reviewID):
            await settle(.held(reviewID: reviewID))
        case .stream(let stream, let includeUsage):
            let kept = stream.finishing { ending, completion in
                // A stream Keel cannot rebuild (tool calls) is not kept: its repeats run again.
                guard case .finished = ending, let completion else { return await settle(nil) }
                await settle(.completion(exchange.storable(completion)))
            }
            return .stream(kept, includeUsage: includeUsage)
        }
        return response
    }

    /// The request's body as the key's answer depends on it: how the answer is delivered aside.
    static func fingerprint(_ request: GatewayRequest) -> String {
        switch request.payload {
        case .chat(let chat): Digest.sha256Hex(ResponseCache.key(for: chat, route: chat.model))
        case .embeddings(let embeddings): Digest.sha256Hex(embeddings.json.jsonText)
        case .unread: ""
        }
    }
}

/// The keys whose first request runs in this process, each with the gate its repeats wait at.
private final class RunningKeys: Sendable {
    private let gates = Mutex<[IdempotencyKey: Gate]>([:])

    /// The gate to wait at when `key` is running here; otherwise `nil`, and the caller now holds it.
    func join(_ key: IdempotencyKey) -> Gate? {
        gates.withLock { gates in
            if let gate = gates[key] { return gate }
            gates[key] = Gate()
            return nil
        }
    }

    func leave(_ key: IdempotencyKey) {
        gates.withLock { $0.removeValue(forKey: key) }?.open()
    }
}

/// Suspends its waiters until it is opened.
private final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
