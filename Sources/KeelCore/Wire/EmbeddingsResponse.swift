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

    public var usage: TokenUsage? {
        guard let usage = json["usage"]?.objectValue, let input = usage["prompt_tokens"]?.integerValue else { return nil }
        return TokenUsage(inputTokens: Int(input), outputTokens: 0)
    }
}
