/// What the pipeline answers.
public enum GatewayResponse: Sendable {
    case completion(ChatCompletion)
    /// A stream of chunks; `includeUsage` tells whether the client asked for the usage chunk.
    case stream(ChatStream, includeUsage: Bool)
    case embeddings(EmbeddingsResponse)
    /// A case held for a person's decision past the client's wait: `202` with the review to poll.
    case held(reviewID: String)
}
