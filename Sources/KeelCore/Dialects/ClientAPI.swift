/// The API a client called. Keel answers each in its own wire format; the three chat APIs walk
/// the same pipeline as one chat request, translated on the way in and presented on the way out.
public enum ClientAPI: String, Sendable, Hashable, CaseIterable {
    /// OpenAI's `POST /v1/chat/completions`.
    case chatCompletions = "chat_completions"
    /// OpenAI's `POST /v1/responses`.
    case responses
    /// Anthropic's `POST /v1/messages`.
    case messages
    /// OpenAI's `POST /v1/embeddings`.
    case embeddings

    /// The API of a request known only by its operation: Chat Completions or embeddings.
    public init(operation: GatewayRequest.Operation) { self = operation == .embeddings ? .embeddings : .chatCompletions }

    /// The operation, as the OpenTelemetry GenAI conventions name it: the three chat APIs are all `chat`.
    public var operation: GatewayRequest.Operation { self == .embeddings ? .embeddings : .chat }
}
