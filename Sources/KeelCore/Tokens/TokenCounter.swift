/// Counts the tokens of a chat request's input before it is sent, as the deployment's model will.
public protocol TokenCounter: Sendable {
    func inputTokens(of request: ChatCompletionRequest, for deployment: ModelDeployment) -> Int
    /// The tokens of plain text (an answer, an embedding input) in the deployment's encoding.
    func tokens(in text: String, for deployment: ModelDeployment) -> Int
}

/// An estimate for when no tokenizer knows the model: about four bytes of text a token, plus the
/// framing OpenAI adds (three tokens a message and three to prime the reply). Tools and images
/// count by the size of their JSON, so that a large schema still weighs what it should.
public struct EstimatingTokenCounter: TokenCounter {
    public init() {}

    public func inputTokens(of request: ChatCompletionRequest, for deployment: ModelDeployment) -> Int {
        Self.inputTokens(of: request)
    }

    public func tokens(in text: String, for deployment: ModelDeployment) -> Int { Self.tokens(in: text) }

    /// The estimate for any model.
    public static func inputTokens(of request: ChatCompletionRequest) -> Int {
        var count = 3
        for message in request.messages {
            count += 3 + tokens(in: message.text ?? "")
            if let parts = message.parts { count += tokens(inJSON: .array(parts)) }
            if let toolCalls = message.toolCalls { count += tokens(inJSON: .array(toolCalls)) }
            if let name = message.name { count += 1 + tokens(in: name) }
        }
        if let tools = request.tools { count += tokens(inJSON: .array(tools)) }
        return count
    }

    /// About four bytes a token, never less than one for non-empty text.
    public static func tokens(in text: String) -> Int { (text.utf8.count + 3) / 4 }

    private static func tokens(inJSON value: JSONValue) -> Int { tokens(in: value.jsonString) }
}
