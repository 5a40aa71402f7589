import Foundation

/// One workflow's figures, summed by the store from its steps.
public struct WorkflowTally: Sendable, Hashable {
    public var id: String
    public var route: String?
    public var status: Workflow.Status
    /// When its last step started, or it was completed.
    public var lastActive: Date
    public var steps: Int
    /// Steps that ended failed or interrupted: each had to be sent again.
    public var failedSteps: Int
    /// Upstream attempts beyond the first of each step.
    public var upstreamRetries: Int
    public var compactions: Int
    public var tokensSaved: Int
    /// Input and output tokens of its steps.
    public var tokens: Int
    /// What its steps and their summaries cost.
    public var cost: Money

    public init(
        id: String,
        route: String?,
        status: Workflow.Status,
        lastActive: Date,
        steps: Int = 0,
        failedSteps: Int = 0,
        upstreamRetries: Int = 0,
        compactions: Int = 0,
        tokensSaved: Int = 0,
        tokens: Int = 0,
        cost: Money = .zero
    ) {
        self.id = id
        self.route = route
        self.status = status
        self.lastActive = lastActive
        self.steps = steps
        self.failedSteps = failedSteps
        self.upstreamRetries = upstreamRetries
        self.compactions = compactions
        self.tokensSaved = tokensSaved
        self.tokens = tokens
        self.cost = cost
    }
}

/// The answers to one input that steps of a route were sent more than once, oldest first.
public struct RepeatedInput: Sendable, Hashable {
    public var route: String?
    public var answers: [JSONObject]

    public init(route: String?, answers: [JSONObject]) {
        self.route = route
        self.answers = answers
    }

    /// What an answer says, for comparing: its content, else the whole message (tool calls).
    static func text(of answer: JSONObject) -> String {
        answer["content"]?.stringValue ?? JSONValue.object(answer).jsonString
    }
}

/// Usable execution per workflow, per route: how many workflows finish, how many retries they take,
/// what a *completed* one costs next to a single step, how often context had to be compacted, and
/// how consistent the answers to repeated inputs are.
public struct WorkflowReport: Sendable, Hashable {
    public struct Line: Sendable, Hashable {
        /// The route; `nil` for ``WorkflowReport/total``.
        public var route: String?
        public var started = 0
        public var completed = 0
        /// Open, with no step for longer than the idle time.
        public var abandoned = 0
        /// Open and recently active: neither completed nor abandoned yet.
        public var active = 0
        public var steps = 0
        /// Upstream retries and steps sent again after failing.
        public var retries = 0
        public var compactions = 0
        public var tokensSaved = 0
        public var tokens = 0
        public var cost = Money.zero
        public var completedTokens = 0
        public var completedCost = Money.zero
        public var consistency = OutputConsistency()

        public init(route: String?) { self.route = route }

        /// Completed over started; `nil` with none started.
        public var completionRate: Double? { started == 0 ? nil : Double(completed) / Double(started) }
        public var retriesPerWorkflow: Double? { started == 0 ? nil : Double(retries) / Double(started) }
        public var tokensPerCompletedWorkflow: Double? { completed == 0 ? nil : Double(completedTokens) / Double(completed) }
        public var costPerCompletedWorkflow: Money? { completed == 0 ? nil : Money(picodollars: completedCost.picodollars / Int64(completed)) }
        /// What one step (one request) costs, across all workflows.
        public var costPerStep: Money? { steps == 0 ? nil : Money(picodollars: cost.picodollars / Int64(steps)) }

        mutating func add(_ tally: WorkflowTally, abandoned isAbandoned: Bool) {
            started += 1
            switch tally.status {
            case .completed:
                completed += 1
                completedTokens += tally.tokens
                completedCost += tally.cost
            case .open:
                if isAbandoned { abandoned += 1 } else { active += 1 }
            }
            steps += tally.steps
            retries += tally.upstreamRetries + tally.failedSteps
            compactions += tally.compactions
            tokensSaved += tally.tokensSaved
            tokens += tally.tokens
            cost += tally.cost
        }

        static func + (lhs: Line, rhs: Line) -> Line {
            var sum = lhs
            sum.route = nil
            sum.started += rhs.started
            sum.completed += rhs.completed
            sum.abandoned += rhs.abandoned
            sum.active += rhs.active
            sum.steps += rhs.steps
            sum.retries += rhs.retries
            sum.compactions += rhs.compactions
            sum.tokensSaved += rhs.tokensSaved
            sum.tokens += rhs.tokens
            sum.cost += rhs.cost
            sum.completedTokens += rhs.completedTokens
            sum.completedCost += rhs.completedCost
            sum.consistency = sum.consistency + rhs.consistency
            return sum
        }
    }

    /// Workflows started in `since..<until` count.
    public var since: Date
    public var until: Date
    /// An open workflow without a step for this long counts as abandoned.
    public var idleTime: Duration
    /// By route name.
    public var lines: [Line]

    public var total: Line { lines.reduce(Line(route: nil), +) }

    public init(tallies: [WorkflowTally], repeats: [RepeatedInput], since: Date, until: Date, now: Date, idleTime: Duration) {
        self.since = since
        self.until = until
        self.idleTime = idleTime
        let idleSince = now.addingTimeInterval(-idleTime.seconds)
        var lines: [String?: Line] = [:]
        for tally in tallies {
            lines[tally.route, default: Line(route: tally.route)].add(tally, abandoned: tally.lastActive < idleSince)
        }
        for (route, inputs) in Dictionary(grouping: repeats, by: \.route) {
            let answers = inputs.map { $0.answers.map(RepeatedInput.text(of:)) }
            lines[route, default: Line(route: route)].consistency = OutputConsistency(answers: answers)
        }
        self.lines = lines.values.sorted { ($0.route ?? "") < ($1.route ?? "") }
    }
}
