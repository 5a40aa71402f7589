/// What one request may ask Keel to hold or produce, beyond its body size and JSON depth: bounds
/// checked as soon as the body is read, before any work is done for it. A request over one gets
/// 400 `invalid_value` naming the field and the setting (`limits.*` in `keel.yaml`).
public struct RequestLimits: Sendable, Hashable {
    /// `messages` of a chat request.
    public var maximumMessages = 10_000
    /// `tools` of a chat request (OpenAI's own limit).
    public var maximumTools = 128
    /// `stop` sequences (OpenAI's own limit).
    public var maximumStopSequences = 4
    /// Texts of one embeddings request (OpenAI's own limit).
    public var maximumEmbeddingInputs = 2048
    /// `dimensions` of an embeddings request.
    public var maximumDimensions = 8192

    public init() {}

    /// Refuses `chat` when it asks for more than these limits allow.
    public func check(_ chat: ChatCompletionRequest, trips: LimitTrips) throws(KeelError) {
        try bound(chat.messages.count, by: maximumMessages, "messages", "max_messages", "messages", trips: trips)
        try bound(chat.tools?.count ?? 0, by: maximumTools, "tools", "max_tools", "tools", trips: trips)
        try bound(chat.stop.count, by: maximumStopSequences, "stop", "max_stop", "stop sequences", trips: trips)
    }

    /// Refuses `embeddings` when it asks for more than these limits allow.
    public func check(_ embeddings: EmbeddingsRequest, trips: LimitTrips) throws(KeelError) {
        try bound(embeddings.inputCount, by: maximumEmbeddingInputs, "input", "max_embedding_inputs", "inputs", trips: trips)
        try bound(embeddings.dimensions ?? 0, by: maximumDimensions, "dimensions", "max_dimensions", "dimensions", trips: trips)
    }

    private func bound(_ count: Int, by maximum: Int, _ param: String, _ setting: String, _ things: String, trips: LimitTrips) throws(KeelError) {
        guard count > maximum else { return }
        trips.record("limits.\(setting)")
        throw KeelError(
            .invalidValue,
            "Invalid value for '\(param)': \(count) \(things) is more than this server accepts (\(maximum), 'limits.\(setting)').",
            param: param
        )
    }
}
