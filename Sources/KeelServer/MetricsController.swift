import Hummingbird
import KeelCore
import NIOCore
import Prometheus

/// `GET /metrics`: the Prometheus text of everything counted as requests finished, plus the gauges
/// read at scrape time — each circuit breaker's state, each budget's spend in its window, the
/// request log writer's backlog, the execution figures of the last week's workflows, and each
/// monitored route's drift state and scores.
public struct MetricsController: Sendable {
    let registry: PrometheusCollectorRegistry
    let health: UpstreamHealth
    let budgets: BudgetLedger
    let workflows: WorkflowReporter?
    let log: (any RequestLogBacklog)?
    let connections: ConnectionGuard?
    let drift: (any DriftReadout)?

    /// The days of workflows the gauges cover, today included.
    static var workflowDays: Int { 7 }

    public init(
        registry: PrometheusCollectorRegistry,
        health: UpstreamHealth,
        budgets: BudgetLedger,
        workflows: WorkflowReporter? = nil,
        log: (any RequestLogBacklog)? = nil,
        connections: ConnectionGuard? = nil,
        drift: (any DriftReadout)? = nil
    ) {
        self.registry = registry
        self.health = health
        self.budgets = budgets
        self.workflows = workflows
        self.log = log
        self.connections = connections
        self.drift = drift
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

    /// Adds `GET /metrics`: for admin keys, or for anyone when `open` (a scraper on a private network).
    public func addRoutes(to routes: KeelRoutes, open: Bool) {
        routes.get("/metrics", access: open ? .open : .requires(.readMetrics)) { _, _ in
            for entry in health.breakerStates {
                registry.makeGauge(descriptor: Self.breakerState, labels: [("deployment", entry.deployment.name)]).set(Self.value(entry.state))
            }
            for entry in try await budgets.spend() {
                let labels = [("budget", "\(entry.budget.scope)"), ("window", entry.budget.window.rawValue)]
                registry.makeGauge(descriptor: Self.budgetSpent, labels: labels).set(entry.spent.dollars)
                registry.makeGauge(descriptor: Self.budgetLimit, labels: labels).set(entry.budget.limit.dollars)
            }
            if let log {
                gauge("log_queue_depth", "Finished requests waiting to be written to the request log.", []).set(Double(log.queueDepth))
                gauge("log_dropped_records", "Finished requests the request log dropped because its queue was full (must stay 0).", [])
                    .set(Double(log.droppedRecords))
            }
            if let connections {
                gauge("connections_open", "Client connections open now.", []).set(Double(connections.openConnections))
                gauge("connections_limit", "The most client connections kept open (server.max_connections).", [])
                    .set(Double(connections.configuration.maximumConnections))
            }
            for (route, judgement) in drift?.judgements ?? [:] {
                gauge("drift_state", "Each monitored route's drift state after its latest judged window: 0 ok, 1 drifting.", [("route", route)])
                    .set(judgement.state == .drifting ? 1.0 : 0.0)
                for finding in judgement.findings {
                    gauge(
                        "drift_score",
                        "Each monitored feature's statistic in the route's latest judged window (a p-value or a distance, by statistic).",
                        [("route", route), ("feature", finding.feature), ("statistic", finding.test.rawValue)]
                    )
                    .set(finding.value)
                }
            }
            if let workflows {
                for line in try await workflows.report(days: Self.workflowDays).lines {
                    record(line)
                }
            }
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer()))
            )
        }
    }

    /// The workflow gauges of one route; a figure without a value (no workflow completed) is NaN.
    private func record(_ line: WorkflowReport.Line) {
        let route = [("route", line.route ?? "")]
        for (state, count) in [("completed", line.completed), ("abandoned", line.abandoned), ("active", line.active)] {
            gauge("workflows", "Workflows started in the last 7 days, by state.", route + [("state", state)]).set(Double(count))
        }
        let figures: [(name: String, help: String, value: Double?)] = [
            ("workflow_completion_ratio", "Completed over started workflows of the last 7 days.", line.completionRate),
            ("workflow_retries_per_workflow", "Upstream retries and re-sent failed steps per workflow.", line.retriesPerWorkflow),
            ("workflow_completed_tokens", "Mean tokens of a completed workflow.", line.tokensPerCompletedWorkflow),
            ("workflow_completed_cost_usd", "Mean cost of a completed workflow.", line.costPerCompletedWorkflow?.dollars),
            ("workflow_step_cost_usd", "Mean cost of one workflow step (one request).", line.costPerStep?.dollars),
            ("workflow_compactions", "Steps whose context was compacted to fit.", Double(line.compactions)),
            ("workflow_compaction_saved_tokens", "Input tokens compaction left out.", Double(line.tokensSaved)),
            ("workflow_output_identical_ratio", "Share of identical answers to a repeated input.", line.consistency.identicalShare),
            ("workflow_output_similarity_ratio", "Mean word similarity of answers to a repeated input.", line.consistency.meanSimilarity),
        ]
        for figure in figures {
            gauge(figure.name, figure.help, route).set(figure.value ?? .nan)
        }
    }

    private func gauge(_ name: String, _ help: String, _ labels: [(String, String)]) -> Gauge {
        registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "keel", metricName: name, unitName: "", helpText: help), labels: labels)
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
