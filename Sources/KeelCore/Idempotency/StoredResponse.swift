/// An answer kept for replay: what an idempotent request returned, given again to its repeats.
public enum StoredResponse: Sendable, Hashable {
    case completion(ChatCompletion)
    case embeddings(EmbeddingsResponse)
    /// A case held for review: a repeat gets the same review to poll.
    case held(reviewID: String)

    /// The stored form: `{"completion": …}`, `{"embeddings": …}` or `{"held": REVIEW_ID}`.
    public var json: JSONValue {
        switch self {
        case .completion(let completion): ["completion": .object(completion.json)]
        case .embeddings(let embeddings): ["embeddings": .object(embeddings.json)]
        case .held(let reviewID): ["held": .string(reviewID)]
        }
    }

    public init(json: JSONValue) throws {
        if let completion = json.objectValue?["completion"] {
            self = .completion(try ChatCompletion(normalizing: completion, fallbackID: "", created: 0))
        } else if let embeddings = json.objectValue?["embeddings"] {
            self = .embeddings(try EmbeddingsResponse(normalizing: embeddings))
        } else if let reviewID = json.objectValue?["held"]?.stringValue {
            self = .held(reviewID: reviewID)
        } else {
            throw KeelError(.internalError, "A stored response is neither a completion, embeddings nor a held case.")
        }
    }

    /// The response for a repeat of the request, streamed if the repeat asks for a stream.
    public func response(stream: Bool, includeUsage: Bool) -> GatewayResponse {
        switch self {
        case .completion(let completion):
            stream ? .stream(ChatStream(replaying: completion), includeUsage: includeUsage) : .completion(completion)
        case .embeddings(let embeddings):
            .embeddings(embeddings)
        case .held(let reviewID):
            .held(reviewID: reviewID)
        }
    }
}
