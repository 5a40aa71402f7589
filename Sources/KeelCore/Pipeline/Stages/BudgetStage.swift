/// Holds every request to the budgets that cover it (its key's, its team's, its route's): it reserves
/// the request's worst case before the call — refused whole with 429 `budget_exceeded` when any
/// budget cannot take it — and settles the real cost when the answer (a stream: its end) is in.
public struct BudgetStage: PipelineStage {
    private let ledger: BudgetLedger
    private let onAlert: @Sendable (BudgetLedger.Alert) -> Void

    /// - Parameter onAlert: told when a settlement takes a budget past its soft limit.
    public init(ledger: BudgetLedger, onAlert: @escaping @Sendable (BudgetLedger.Alert) -> Void = { _ in }) {
        self.ledger = ledger
        self.onAlert = onAlert
    }

    /// Output tokens assumed when a request sets no limit and its model's window is unknown.
    public static let assumedOutputTokens = 4096

    public func handle(
        _ request: GatewayRequest,
        exchange: Exchange,
        next: (GatewayRequest) async throws -> GatewayResponse
    ) async throws -> GatewayResponse {
        let route = try request.requireRoute()
        let applicable = ledger.budgets.filter { $0.covers(key: request.caller, route: route.name) }
        guard !applicable.isEmpty else { return try await next(request) }
        let reservation = try await ledger.reserve(Self.worstCase(request, route: route), for: exchange.id, against: applicable)
        exchange.budgetRemaining = reservation.remaining
        // Settled whatever became of the request (cancellation included): a reservation left open
        // would hold the budget until the replica's lease expired.
        let settle: @Sendable () async -> Void = { [ledger, onAlert] in
            guard let settled = try? await uncancellable({ try await ledger.settle(reservation, cost: exchange.cost ?? .zero) }) else { return }
            exchange.budgetRemaining = settled.remaining
            for alert in settled.alerts { onAlert(alert) }
        }
        let response: GatewayResponse
        do {
            response = try await next(request)
        } catch {
            await settle()
            throw error
        }
        guard case .stream(let stream, let includeUsage) = response else {
            await settle()
            return response
        }
        return .stream(stream.finishing { _ in await settle() }, includeUsage: includeUsage)
    }

    /// The most the request can cost on any of the route's targets: its input, and all the output it
    /// may ask for (`max_tokens`, else what the window leaves, else ``assumedOutputTokens``).
    static func worstCase(_ request: GatewayRequest, route: Route) -> Money {
        let input: Int
        var maxOutput: Int?
        switch request.payload {
        case .chat(let chat):
            input = request.promptTokens ?? EstimatingTokenCounter.inputTokens(of: chat)
            maxOutput = chat.maxOutputTokens
        case .embeddings(let embeddings):
            input = embeddings.inputs.reduce(1) { $0.saturatingAdd(EstimatingTokenCounter.tokens(in: $1)) }
            maxOutput = 0
        case .unread:
            input = 0
        }
        return route.targets.map { target in
            let output = maxOutput ?? target.contextWindow.map { max(0, $0 - input) } ?? assumedOutputTokens
            return target.price.input * input + target.price.output * output
        }
        .max() ?? .zero
    }
}
