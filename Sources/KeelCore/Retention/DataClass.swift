/// What a retention period applies to: each kind of data Keel keeps that may hold what a person
/// sent, or what was decided about it.
public enum DataClass: String, Sendable, Hashable, CaseIterable {
    /// Request and response bodies in the log, and quarantined requests.
    case bodies
    /// The request log's `metadata`.
    case metadata
    /// Workflows idle past the period: their steps (messages and answers) and summaries.
    case workflowSteps = "workflow_steps"
    /// Decided reviews (with the case they held); pending ones are kept until decided.
    case reviews
    /// The audit trail's records (a purge leaves a record saying where the trail now starts).
    case audit

    /// The configuration key of the class's period.
    public var key: String { rawValue + "_days" }
}
