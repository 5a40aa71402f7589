/// What the pipeline answers.
public enum GatewayResponse: Sendable {
    case completion(ChatCompletion)
    /// A stream of chunks; `includeUsage` tells whether the client asked for the usage chunk.
    case stream(ChatStream, includeUsage: Bool)
    case embeddings(EmbeddingsResponse)
}
