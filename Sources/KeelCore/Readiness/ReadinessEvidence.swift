import Foundation

/// What Keel holds of one route that bears on its readiness: its configuration and the evidence
/// gathered from the stores, as of `now`. ``ReadinessReport`` judges it; nothing here reads a store.
public struct ReadinessEvidence: Sendable {
    /// A finished evaluation run of the route's production prompt version on its gate dataset.
    public struct Evaluation: Sendable {
        public var report: EvaluationReport
        /// What the route's gate says of the run on its own (its minimum pass rates).
        public var verdict: GateVerdict

        public init(report: EvaluationReport, verdict: GateVerdict) {
            self.report = report
            self.verdict = verdict
        }
    }

    /// A budget that caps the route's spend (its own, or its callers' team's or key's), and what
    /// its current window has spent.
    public struct BudgetStanding: Sendable, Hashable {
        public var budget: Budget
        public var spent: Money

        public init(budget: Budget, spent: Money) {
            self.budget = budget
            self.spent = spent
        }
    }

    public var route: Route
    public var now: Date
    /// How old a validation, an evaluation or a rehearsal may be and still count.
    public var maximumAge: TimeInterval
    /// Active keys that may decide reviews.
    public var reviewers = 0
    /// The route's reviews waiting for a decision.
    public var pendingReviews = 0
    public var validation: ValidationEvidence?
    /// The version the route's prompt reference names now (`triage@production` → 3), when it has one.
    public var productionVersion: Int?
    public var evaluation: Evaluation?
    public var rehearsal: RehearsalEvidence?
    public var budgets: [BudgetStanding] = []
    /// Where alerts go beyond the log (the webhook's host), when anywhere.
    public var alertChannel: String?
    /// Whether any alert is configured to fire (spend thresholds; drift alerts come with a monitor).
    public var alertsConfigured = false
    /// The route's latest drift judgement.
    public var drift: DriftJudgementRecord?

    public init(route: Route, now: Date, maximumAge: TimeInterval) {
        self.route = route
        self.now = now
        self.maximumAge = maximumAge
    }

    /// How long ago `date` was, in words (`3 days ago`), and whether it is past ``maximumAge``.
    func age(of date: Date) -> (words: String, stale: Bool) {
        let seconds = max(0, now.timeIntervalSince(date))
        let words =
            switch seconds {
            case ..<120: "just now"
            case ..<7200: "\(Int(seconds / 60)) minutes ago"
            case ..<172_800: "\(Int(seconds / 3600)) hours ago"
            default: "\(Int(seconds / 86_400)) days ago"
            }
        return (words, seconds > maximumAge)
    }

    /// The allowed age in days, for what is missing.
    var maximumDays: String { String(format: "%g", (maximumAge / 86_400 * 10).rounded() / 10) }
}

/// Evidence of a route that the audit trail keeps, as a record of its own kind.
public protocol AuditedEvidence: Sendable {
    /// The kind of the audit records that keep it.
    static var kind: String { get }
    var route: String { get }
    /// The evidence an audit record keeps; `nil` for a record of another kind.
    init?(audit record: AuditRecord)
}

/// A batch of sample records run through a route's contract (`keel validate`), as the audit trail
/// keeps it: when, how many, and how they came out.
public struct ValidationEvidence: AuditedEvidence, Hashable {
    public static let kind = "batch_validated"

    public var route: String
    public var at: Date
    public var counts: [ContractOutcome.Status: Int]
    /// The records' source (a file's name) and its SHA-256, so that the batch can be found again.
    public var source: String
    public var sha256: String

    public init(route: String, at: Date, counts: [ContractOutcome.Status: Int], source: String, sha256: String) {
        self.route = route
        self.at = at
        self.counts = counts
        self.source = source
        self.sha256 = sha256
    }

    public var records: Int { counts.values.reduce(0, +) }

    /// The share of the records that came out `status`.
    public func share(_ status: ContractOutcome.Status) -> Double { records == 0 ? 0 : Double(counts[status] ?? 0) / Double(records) }

    /// The audit event that keeps it.
    public func event(by actor: String?) -> AuditEvent {
        var details = JSONObject([("route", .string(route)), ("source", .string(source)), ("sha256", .string(sha256))])
        for status in ContractOutcome.Status.allCases { details[status.rawValue] = JSONValue(counts[status] ?? 0) }
        return AuditEvent(Self.kind, actor: actor, details: details)
    }

    public init?(audit record: AuditRecord) {
        guard record.kind == Self.kind, let details = try? JSONParser.parse(record.details).objectValue,
            let route = details["route"]?.stringValue
        else { return nil }
        var counts: [ContractOutcome.Status: Int] = [:]
        for status in ContractOutcome.Status.allCases { counts[status] = Int(details[status.rawValue]?.integerValue ?? 0) }
        self.init(
            route: route,
            at: record.at,
            counts: counts,
            source: details["source"]?.stringValue ?? "",
            sha256: details["sha256"]?.stringValue ?? ""
        )
    }
}

/// A fault rehearsal of a route's own configuration (`keel rehearse SCENARIO --config`), as the
/// audit trail keeps it: when, which scenario, and whether every expectation held.
public struct RehearsalEvidence: AuditedEvidence, Hashable {
    public static let kind = "rehearsal_run"

    public var route: String
    public var at: Date
    public var scenario: String
    /// The scenario's phases, each with its success rate.
    public var phases: [Phase]
    /// The expectations that did not hold; none when it passed.
    public var unmet: [String]

    public struct Phase: Sendable, Hashable {
        public var name: String
        public var successRate: Double

        public init(name: String, successRate: Double) {
            self.name = name
            self.successRate = successRate
        }
    }

    public init(route: String, at: Date, scenario: String, phases: [Phase], unmet: [String]) {
        self.route = route
        self.at = at
        self.scenario = scenario
        self.phases = phases
        self.unmet = unmet
    }

    public var passed: Bool { unmet.isEmpty }

    public func event(by actor: String?) -> AuditEvent {
        let phases: [JSONValue] = phases.map { ["name": .string($0.name), "success_rate": .double($0.successRate)] }
        return AuditEvent(
            Self.kind,
            actor: actor,
            details: JSONObject([
                ("route", .string(route)), ("scenario", .string(scenario)), ("passed", .bool(passed)), ("phases", .array(phases)),
                ("unmet", .array(unmet.map(JSONValue.string))),
            ])
        )
    }

    public init?(audit record: AuditRecord) {
        guard record.kind == Self.kind, let details = try? JSONParser.parse(record.details).objectValue,
            let route = details["route"]?.stringValue
        else { return nil }
        let phases = (details["phases"]?.arrayValue ?? []).compactMap { phase -> Phase? in
            guard let object = phase.objectValue, let name = object["name"]?.stringValue else { return nil }
            return Phase(name: name, successRate: object["success_rate"]?.doubleValue ?? 0)
        }
        self.init(
            route: route,
            at: record.at,
            scenario: details["scenario"]?.stringValue ?? "",
            phases: phases,
            unmet: (details["unmet"]?.arrayValue ?? []).compactMap(\.stringValue)
        )
    }
}
