import KeelCore
import KeelStore
import KeelTokenizer

extension Gateway {
    /// The prompt registry on `storage`, sizing versions with OpenAI's o200k_base (loaded on the
    /// first push): what `/api/prompts` and `keel prompts` both use.
    public static func promptRegistry(_ storage: KeelStorage, clock: KeelClock = .system) -> PromptRegistry {
        PromptRegistry(
            store: storage.prompts,
            countTokens: { text in (try? Tokenizer.named(.o200kBase))?.count(text) ?? text.utf8.count / 4 },
            audit: AuditTrail(store: storage.audit, clock: clock),
            clock: clock
        )
    }
}
