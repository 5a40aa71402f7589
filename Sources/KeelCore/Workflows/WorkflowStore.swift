import Foundation

/// A workflow's stored context: what each new step is built on.
public struct WorkflowHistory: Sendable, Hashable {
    /// One completed step's turn: its unpinned input and its answer.
    public struct Turn: Sendable, Hashable {
        public var step: Int
        public var messages: [JSONObject]

        public init(step: Int, messages: [JSONObject]) {
            self.step = step
            self.messages = messages
        }
    }

    /// Pinned messages of every completed step (system and developer messages, and messages sent
    /// with `"pinned": true`), in order: always in the context.
    public var pinned: [JSONObject]
    /// A summary of the steps up to ``throughStep``, whose turns are then not in ``turns``.
    public struct Summary: Sendable, Hashable {
        public var text: String
        public var throughStep: Int

        public init(text: String, throughStep: Int) {
            self.text = text
            self.throughStep = throughStep
        }
    }

    /// The latest summary, if steps were condensed.
    public var summary: Summary?
    /// Completed steps after the summary, oldest first.
    public var turns: [Turn]

    public init(pinned: [JSONObject] = [], summary: Summary? = nil, turns: [Turn] = []) {
        self.pinned = pinned
        self.summary = summary
        self.turns = turns
    }
}

/// Where workflows and their steps are kept, durably.
public protocol WorkflowStore: Sendable {
    func workflow(_ ref: WorkflowRef) async throws -> Workflow?
    /// Workflows of `scope`, most recently active first: those with the client id `id` when given
    /// (there may be one per API key), else all.
    func workflows(id: String?, status: Workflow.Status?, limit: Int, in scope: TeamScope) async throws -> [Workflow]
    /// The workflow and the context its next step is built on; `nil` before its first step.
    func history(of ref: WorkflowRef) async throws -> (workflow: Workflow, history: WorkflowHistory)?
    func steps(of ref: WorkflowRef) async throws -> [WorkflowStep]
    /// Stores a running step, run by `replica`, starting its workflow for `team` on `route` if it is
    /// new, and returns the step's number; `nil`, storing nothing, when the workflow is completed.
    /// Steps begun at once on several replicas get distinct numbers.
    func beginStep(_ step: WorkflowStep, team: String?, route: String, replica: String) async throws -> Int?
    /// Stores how the step ended (its status, output, usage, cost, attempts, error).
    func finishStep(_ step: WorkflowStep) async throws
    /// Keeps a summary of the workflow up to `throughStep`, for later steps to start from.
    func saveSummary(_ text: String, of ref: WorkflowRef, throughStep: Int, now: Date) async throws
    /// Marks the workflow done; returns `nil` when there is no such workflow.
    func complete(_ ref: WorkflowRef, now: Date) async throws -> Workflow?
    /// The figures of each workflow of `scope` started in `since..<until`.
    func tallies(since: Date, until: Date, in scope: TeamScope) async throws -> [WorkflowTally]
    /// The answers of completed steps, of workflows of `scope` started in `since..<until`, whose
    /// input was sent more than once on one route: at most `limit` inputs, the latest.
    func repeatedInputs(since: Date, until: Date, limit: Int, in scope: TeamScope) async throws -> [RepeatedInput]
    /// Marks the steps `replica` was running interrupted: its lease expired, so they will never finish.
    func interruptSteps(of replica: String) async throws -> Int
}

extension WorkflowStore {
    /// The workflow of `scope` a reader names by its id, and by its API key (`keyID`) when several
    /// keys used that id. Another team's workflow is not found.
    public func resolve(id: String, keyID: String?, in scope: TeamScope = .all) async throws -> Workflow {
        if let keyID {
            guard let workflow = try await workflow(WorkflowRef(keyID: keyID, id: id)), scope.includes(workflow.team) else {
                throw KeelError(.notFound, "No workflow '\(id)' of key \(keyID).")
            }
            return workflow
        }
        let found = try await workflows(id: id, status: nil, limit: 2, in: scope)
        guard let workflow = found.first else { throw KeelError(.notFound, "No workflow '\(id)'.") }
        guard found.count == 1 else {
            throw KeelError(.invalidValue, "Several API keys have a workflow '\(id)'; name the key's id with 'key'.", param: "key")
        }
        return workflow
    }
}
