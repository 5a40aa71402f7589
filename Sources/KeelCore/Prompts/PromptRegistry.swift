/// The prompt registry's operations, the same for `/api/prompts` and `keel prompts`: push a
/// prompt file into a team's namespace, find a prompt the way a caller of that team sees it,
/// and move a label.
public struct PromptRegistry: Sendable {
    public let store: any PromptStore
    private let countTokens: @Sendable (String) -> Int
    private let audit: AuditTrail?
    private let clock: KeelClock

    /// `countTokens` sizes a version (Keel uses OpenAI's o200k_base); label moves and refusals go to `audit`.
    public init(store: any PromptStore, countTokens: @escaping @Sendable (String) -> Int, audit: AuditTrail? = nil, clock: KeelClock = .system) {
        self.store = store
        self.countTokens = countTokens
        self.audit = audit
        self.clock = clock
    }

    /// Pushes a prompt file's JSON (`name`, `messages`, `variables`, `response_schema`, `parameters`)
    /// as the next version of `name` in `team`'s namespace (`nil`: the shared one).
    public func push(_ json: JSONValue, team: String?, by actor: String?) async throws -> (version: PromptVersion, created: Bool) {
        guard let name = json.objectValue?["name"]?.stringValue else {
            throw KeelError(.missingField, "A prompt file needs a 'name'.", param: "name")
        }
        if let problem = RegistryName.problem(with: name) { throw KeelError(.invalidValue, problem, param: "name") }
        let template = try PromptTemplate(json: json)
        return try await store.push(
            template,
            as: RegistryName(team: team, name: name),
            tokens: countTokens(template.templateText),
            by: actor,
            at: clock.now()
        )
    }

    /// The prompt `name` as a caller of `team` sees it: the team's own, else the shared one.
    public func find(_ name: String, team: String?) async throws -> RegistryName {
        for prompt in [RegistryName(team: team, name: name), RegistryName(team: nil, name: name)]
        where try await store.number(.latest, in: prompt) != nil {
            return prompt
        }
        throw KeelError(.notFound, "There is no prompt '\(name)'.", param: "name")
    }

    /// The version `reference` names in `prompt`.
    public func version(_ selector: PromptReference.Selector, of prompt: RegistryName) async throws -> PromptVersion {
        guard let number = try await store.number(selector, in: prompt), let version = try await store.version(number, of: prompt) else {
            throw KeelError(.notFound, "\(prompt) has no version \(PromptReference(name: prompt.name, selector: selector)).", param: "version")
        }
        return version
    }

    /// Points `label` of `prompt` at `version`; returns the version it pointed at before.
    public func label(_ label: String, of prompt: RegistryName, to version: Int, by actor: String?, reason: String? = nil) async throws -> Int? {
        if RegistryName.problem(with: label) != nil {
            throw KeelError(.invalidValue, "'\(label)' is not a label name (letters, digits, '.', '_' or '-').", param: "label")
        }
        let previous = try await store.moveLabel(label, of: prompt, to: version, by: actor, reason: reason, at: clock.now())
        var details = JSONObject([("label", .string(label)), ("version", JSONValue(version)), ("previous", previous.map { JSONValue($0) } ?? .null)])
        if let reason { details["reason"] = .string(reason) }
        try await audit?.record(AuditEvent("prompt_label_moved", actor: actor, subject: prompt.description, details: details))
        return previous
    }

    /// Records that `label` of `prompt` was not moved to `version`, and why (a gate that failed).
    public func refuse(_ label: String, of prompt: RegistryName, version: Int, by actor: String?, reason: String) async throws {
        try await store.recordRefusal(label, of: prompt, version: version, by: actor, reason: reason, at: clock.now())
        let details = JSONObject([("label", .string(label)), ("version", JSONValue(version)), ("reason", .string(reason))])
        try await audit?.record(AuditEvent("prompt_label_refused", actor: actor, subject: prompt.description, details: details))
    }
}
