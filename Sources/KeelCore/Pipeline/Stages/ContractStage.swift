import Foundation

/// Holds a request to its route's input contract, before the prompt is rendered:
/// the structured input (the prompt's `variables`, or `metadata`) is checked and normalised, and
/// what the prompt is rendered with (or the log keeps, for metadata) is the normalised record. A
/// record with problems ends here with 422 and every field's problem; with quarantine on it is kept
/// first, its id in the error. A resend of an accepted record (the same dedupe key, within the
/// contract's hours) ends with 409; a request that then fails gives its key back.
public struct ContractStage: PipelineStage {
    private let store: any QuarantineStore
    private let clock: KeelClock

    public init(store: any QuarantineStore, clock: KeelClock = .system) {
        self.store = store
        self.clock = clock
    }

    public func handle(
        _ request: GatewayRequest,
        exchange: Exchange,
        next: (GatewayRequest) async throws -> GatewayResponse
    ) async throws -> GatewayResponse {
        guard case .chat(var chat) = request.payload, let route = request.route, let contract = route.contract else {
            return try await next(request)
        }
        let now = clock.now()
        var claimed: String?
        let outcome = contract.check(contract.input(of: chat), today: now)
        guard outcome.status == .accepted, let normalized = outcome.normalized else {
            throw try await refusal(outcome, of: contract, request: request, exchange: exchange, now: now)
        }
        if let key = outcome.dedupeKey, let dedupe = contract.dedupe {
            let expiry = now.addingTimeInterval(dedupe.hours * 3600)
            if let holder = try await store.claimKey(route: route.name, key: key, requestID: exchange.id, expiresAt: expiry, now: now) {
                var error = KeelError(
                    .duplicateRecord,
                    "This record was already received (\(holder)); a resend is not accepted twice.",
                    param: contract.input.rawValue
                )
                error.details["original_request"] = .string(holder)
                throw error
            }
            claimed = key
        }
        switch contract.input {
        case .variables: chat = chat.replacingVariables(normalized)
        case .metadata: exchange.setMetadata(normalized)
        }
        var forwarded = request
        forwarded.payload = .chat(chat)
        forwarded.record = normalized
        do {
            return try await next(forwarded)
        } catch {
            if let claimed { try? await store.releaseKey(route: route.name, key: claimed, requestID: exchange.id) }
            throw error
        }
    }

    /// The error a refused record gets: every problem, and the quarantine id when it was kept.
    private func refusal(
        _ outcome: ContractOutcome,
        of contract: InputContract,
        request: GatewayRequest,
        exchange: Exchange,
        now: Date
    ) async throws -> KeelError {
        let count = outcome.problems.count
        let first = outcome.problems.first?.field ?? ""
        var error = KeelError(
            .contractViolation,
            "The request's \(contract.input.rawValue) do not meet the route's contract: \(count) problem\(count == 1 ? "" : "s").",
            param: contract.input.rawValue + first.replacingOccurrences(of: "/", with: ".")
        )
        error.details["errors"] = .array(outcome.problems.map(\.json))
        error.details["status"] = .string(outcome.status.rawValue)
        if outcome.status == .quarantined {
            error.details["quarantine_id"] = .string(try await keep(request, exchange: exchange, problems: outcome.problems, now: now).id)
        }
        return error
    }

    private func keep(_ request: GatewayRequest, exchange: Exchange, problems: [ContractProblem], now: Date) async throws -> QuarantinedRequest {
        let kept = QuarantinedRequest(
            route: request.route?.name ?? "",
            team: request.caller?.team,
            keyID: request.caller?.id,
            receivedAt: now,
            body: exchange.storable(String(decoding: exchange.requestBody ?? [], as: UTF8.self)),
            problems: problems
        )
        try await store.quarantine(kept)
        return kept
    }
}
