import Foundation

/// Storage for the prompt registry: immutable versions, labels that point at them, and the
/// history of every label moved or refused.
public protocol PromptStore: Sendable {
    /// Adds `template` as the next version of `prompt`, or returns the version that already has
    /// this content (`created` false): pushing the same file twice makes one version.
    func push(
        _ template: PromptTemplate,
        as prompt: RegistryName,
        tokens: Int,
        by actor: String?,
        at now: Date
    ) async throws -> (
        version: PromptVersion, created: Bool
    )
    /// The prompts visible in `scope` (a team sees its own and the shared ones), by name.
    func prompts(in scope: TeamScope) async throws -> [PromptSummary]
    /// Every version of `prompt`, oldest first.
    func versions(of prompt: RegistryName) async throws -> [PromptVersion]
    func version(_ number: Int, of prompt: RegistryName) async throws -> PromptVersion?
    /// The number of the version `selector` names in `prompt` (its latest, a label's, or a number
    /// that exists), or `nil`.
    func number(_ selector: PromptReference.Selector, in prompt: RegistryName) async throws -> Int?
    /// Each label of `prompt` and the version it points at.
    func labels(of prompt: RegistryName) async throws -> [String: Int]
    /// Points `label` at `version` (which must exist) and records it; returns the version it pointed at before.
    func moveLabel(_ label: String, of prompt: RegistryName, to version: Int, by actor: String?, reason: String?, at now: Date) async throws -> Int?
    /// Records a promotion that was refused, and why; the label does not move.
    func recordRefusal(_ label: String, of prompt: RegistryName, version: Int, by actor: String?, reason: String, at now: Date) async throws
    /// Every push, label move and refusal of `prompt`, oldest first.
    func history(of prompt: RegistryName) async throws -> [PromptEvent]
}

/// A prompt as `keel prompts list` shows it.
public struct PromptSummary: Sendable, Hashable {
    public var prompt: RegistryName
    public var latest: Int
    public var labels: [String: Int]
    public var updatedAt: Date

    public init(prompt: RegistryName, latest: Int, labels: [String: Int], updatedAt: Date) {
        self.prompt = prompt
        self.latest = latest
        self.labels = labels
        self.updatedAt = updatedAt
    }
}

/// One entry of a prompt's history: a version pushed, a label moved, or a promotion refused.
public struct PromptEvent: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case pushed, labelled, refused
    }

    public var kind: Kind
    public var version: Int
    public var label: String?
    /// The version the label pointed at before (for `labelled`).
    public var previous: Int?
    public var actor: String?
    public var reason: String?
    public var at: Date

    public init(kind: Kind, version: Int, label: String? = nil, previous: Int? = nil, actor: String?, reason: String? = nil, at: Date) {
        self.kind = kind
        self.version = version
        self.label = label
        self.previous = previous
        self.actor = actor
        self.reason = reason
        self.at = at
    }
}
