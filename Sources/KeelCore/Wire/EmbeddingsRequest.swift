/// A `POST /v1/embeddings` body: the fields Keel interprets over the JSON object it forwards.
public struct EmbeddingsRequest: Sendable, Hashable {
    public let model: String
    /// The texts to embed (token-array inputs are forwarded as they are and counted as one input each).
    public let inputs: [String]
    public let inputCount: Int
    public let dimensions: Int?
    public private(set) var json: JSONObject

    public init(json value: JSONValue) throws(KeelError) {
        let reader = try FieldReader(body: value)
        self.model = try reader.required("model", "a string") { $0.stringValue }
        let input = try reader.required("input", "a string or an array") { $0 }
        switch input {
        case .string(let text):
            self.inputs = [text]
            self.inputCount = 1
        case .array(let items) where !items.isEmpty:
            if items.allSatisfy({ $0.stringValue != nil }) {
                self.inputs = items.compactMap(\.stringValue)
                self.inputCount = items.count
            } else if items.allSatisfy({ $0.integerValue != nil }) {
                self.inputs = []
                self.inputCount = 1
            } else if items.allSatisfy({ $0.arrayValue?.allSatisfy { $0.integerValue != nil } ?? false }) {
                self.inputs = []
                self.inputCount = items.count
            } else {
                throw reader.typeError("input", "a string, an array of strings, or arrays of token ids", input)
            }
        case .array:
            throw reader.invalid("input", "must not be empty.")
        default:
            throw reader.typeError("input", "a string or an array", input)
        }
        if let format = try reader.string("encoding_format"), format != "float", format != "base64" {
            throw reader.invalid("encoding_format", "'\(format)' is not one of 'float', 'base64'.")
        }
        self.dimensions = try reader.integer("dimensions", in: 1...Int(Int32.max))
        self.json = reader.object
    }

    public func forUpstream(model upstreamModel: String) -> EmbeddingsRequest {
        var copy = self
        copy.json["model"] = .string(upstreamModel)
        return copy
    }
}
