import Synchronization

/// The prompt registry as the request path reads it: a version, once read, is kept (versions
/// never change), and what a label or "latest" points at is read again after ``revalidateAfter``,
/// so that a promotion on any replica reaches every replica within that time while requests
/// rarely touch storage.
public final class PromptCatalog: Sendable {
    /// A version ready to render.
    public struct Entry: Sendable {
        public let version: PromptVersion
        public let renderer: PromptRenderer
    }

    private struct Pointer {
        var version: Int
        var checkedAt: Duration
    }

    private let store: any PromptStore
    private let clock: KeelClock
    public let revalidateAfter: Duration
    private let versions = Mutex<[PromptKey: Entry]>([:])
    private let pointers = Mutex<[PointerKey: Pointer]>([:])

    private struct PromptKey: Hashable {
        var prompt: RegistryName
        var number: Int
    }

    private struct PointerKey: Hashable {
        var prompt: RegistryName
        var selector: PromptReference.Selector
    }

    public init(store: any PromptStore, clock: KeelClock = .system, revalidateAfter: Duration = .seconds(2)) {
        self.store = store
        self.clock = clock
        self.revalidateAfter = revalidateAfter
    }

    /// The version `reference` names for a caller of `team`: the team's own prompt of that name,
    /// else the shared one; 404 when neither has it.
    public func resolve(_ reference: PromptReference, team: String?) async throws -> Entry {
        let candidates =
            team == nil
            ? [RegistryName(team: nil, name: reference.name)]
            : [
                RegistryName(team: team, name: reference.name), RegistryName(team: nil, name: reference.name),
            ]
        for prompt in candidates {
            if let number = try await number(of: reference.selector, in: prompt), let entry = try await entry(prompt, number) {
                return entry
            }
        }
        throw KeelError(.notFound, "There is no prompt \(reference) (see `keel prompts list`).", param: "prompt")
    }

    private func number(of selector: PromptReference.Selector, in prompt: RegistryName) async throws -> Int? {
        if case .version(let number) = selector { return number }
        let key = PointerKey(prompt: prompt, selector: selector)
        let now = clock.uptime()
        if let known = pointers.withLock({ $0[key] }), now - known.checkedAt < revalidateAfter { return known.version }
        // Only what exists is kept: names and labels a client makes up never grow the cache.
        guard let version = try await store.number(selector, in: prompt) else {
            pointers.withLock { $0[key] = nil }
            return nil
        }
        pointers.withLock { $0[key] = Pointer(version: version, checkedAt: now) }
        return version
    }

    private func entry(_ prompt: RegistryName, _ number: Int) async throws -> Entry? {
        let key = PromptKey(prompt: prompt, number: number)
        if let entry = versions.withLock({ $0[key] }) { return entry }
        guard let version = try await store.version(number, of: prompt) else { return nil }
        let entry = Entry(version: version, renderer: try PromptRenderer(version.template))
        versions.withLock { $0[key] = entry }
        return entry
    }
}
