/// A `POST /v1/embeddings` response (`object: list` of `embedding`s), kept as its JSON object.
public struct EmbeddingsResponse: Sendable, Hashable {
    public private(set) var json: JSONObject

    public init(model: String, vectors: [[Double]], inputTokens: Int) {
        let data: [JSONValue] = vectors.enumerated().map { index, vector in
            ["object": "embedding", "index": JSONValue(index), "embedding": .array(vector.map(JSONValue.double))]
        }
        self.json = JSONObject([
            ("object", "list"), ("data", .array(data)), ("model", .string(model)),
            ("usage", ["prompt_tokens": JSONValue(inputTokens), "total_tokens": JSONValue(inputTokens)]),
        ])
    }

    public init(normalizing value: JSONValue) throws(UpstreamError) {
        guard var object = value.objectValue, object["data"]?.arrayValue != nil else {
            throw UpstreamError(.badResponse, "the embeddings response has no 'data' array")
        }
        try TokenUsage.validate(openAI: object["usage"])
        object["object"] = "list"
        self.json = object
    }

    /// The vectors, in the order of the inputs (base64-encoded ones are not read: `nil`).
    public var vectors: [[Double]]? {
        let items = (json["data"]?.arrayValue ?? []).compactMap(\.objectValue)
            .sorted { ($0["index"]?.integerValue ?? 0) < ($1["index"]?.integerValue ?? 0) }
        let vectors = items.compactMap { $0["embedding"]?.arrayValue?.compactMap(\.doubleValue) }
        return vectors.count == items.count ? vectors : nil
    }

    public var usage: TokenUsage? {
        guard let usage = json["usage"]?.objectValue, let input = usage["prompt_tokens"]?.integerValue else { return nil }
        return TokenUsage(inputTokens: Int(input), outputTokens: 0)
    }
}
