import Hummingbird
import KeelCore
import NIOCore
import Prometheus

/// `GET /metrics`: the Prometheus text of everything counted as requests finished, plus the gauges
/// read at scrape time — each circuit breaker's state and each budget's spend in its window.
public struct MetricsController<Context: RequestContext>: Sendable {
    let registry: PrometheusCollectorRegistry
    let health: UpstreamHealth
    let budgets: BudgetLedger

    public init(registry: PrometheusCollectorRegistry, health: UpstreamHealth, budgets: BudgetLedger) {
        self.registry = registry
        self.health = health
        self.budgets = budgets
    }

    static var breakerState: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "keel",
            metricName: "circuit_breaker",
            unitName: "state",
            helpText: "Circuit breaker per deployment: 0 closed, 1 half-open, 2 open."
        )
    }

    static var budgetSpent: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "keel", metricName: "budget_spent", unitName: "usd", helpText: "Spend of each budget in its current window.")
    }

    static var budgetLimit: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "keel", metricName: "budget_limit", unitName: "usd", helpText: "Each budget's hard limit.")
    }

    public func addRoutes(to router: Router<Context>) {
        router.get("metrics") { _, _ in
            for entry in health.breakerStates {
                registry.makeGauge(descriptor: Self.breakerState, labels: [("deployment", entry.deployment.name)]).set(Self.value(entry.state))
            }
            for entry in budgets.spend {
                let labels = [("budget", "\(entry.budget.scope)"), ("window", entry.budget.window.rawValue)]
                registry.makeGauge(descriptor: Self.budgetSpent, labels: labels).set(entry.spent.dollars)
                registry.makeGauge(descriptor: Self.budgetLimit, labels: labels).set(entry.budget.limit.dollars)
            }
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer()))
            )
        }
    }

    /// `keel_circuit_breaker_state`: 0 closed, 1 half-open, 2 open.
    static func value(_ state: CircuitBreaker.State) -> Double {
        switch state {
        case .closed: 0
        case .halfOpen: 1
        case .open: 2
        }
    }
}
