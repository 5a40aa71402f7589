import KeelCore

/// Counts a chat request's input as OpenAI bills it, with the deployment's exact encoding: each
/// message costs 3 tokens of framing plus its role, content, name (and 1 for having a name) and tool
/// calls; 3 more prime the reply; tools are counted by the formula of OpenAI's cookbook; an image
/// counts 85 tokens (its low-detail price, as its size is unknown). Deployments whose encoding Keel
/// does not know (not an OpenAI model, no `tokenizer` configured) get the estimate.
public struct ChatTokenCounter: TokenCounter {
    private let tokenizers: [String: Tokenizer]

    /// Loads the encodings the deployments use.
    public init(deployments: [ModelDeployment]) throws(TokenizerError) {
        var tokenizers: [String: Tokenizer] = [:]
        for deployment in deployments {
            guard let encoding = try Self.encoding(for: deployment) else { continue }
            tokenizers[deployment.name] = try Tokenizer.named(encoding)
        }
        self.tokenizers = tokenizers
    }

    /// The deployment's configured encoding, or the one OpenAI uses for its upstream model.
    public static func encoding(for deployment: ModelDeployment) throws(TokenizerError) -> Tokenizer.Encoding? {
        guard let name = deployment.tokenizer else { return Tokenizer.Encoding(model: deployment.upstreamModel) }
        guard let encoding = Tokenizer.Encoding(rawValue: name) else { throw TokenizerError.unknownEncoding(name) }
        return encoding
    }

    public func isExact(for deployment: ModelDeployment) -> Bool { tokenizers[deployment.name] != nil }

    public func inputTokens(of request: ChatCompletionRequest, for deployment: ModelDeployment) -> Int {
        guard let tokenizer = tokenizers[deployment.name] else { return EstimatingTokenCounter.inputTokens(of: request) }
        return Self.inputTokens(of: request, tokenizer: tokenizer)
    }

    public func tokens(in text: String, for deployment: ModelDeployment) -> Int {
        tokenizers[deployment.name]?.count(text) ?? EstimatingTokenCounter.tokens(in: text)
    }

    public static func inputTokens(of request: ChatCompletionRequest, tokenizer: Tokenizer) -> Int {
        var count = 3
        for message in request.messages {
            count += 3 + tokenizer.count(message.role.rawValue) + tokenizer.count(message.text ?? "")
            if let name = message.name { count += 1 + tokenizer.count(name) }
            if let id = message.toolCallID { count += tokenizer.count(id) }
            for part in message.parts ?? [] where part.objectValue?["type"]?.stringValue == "image_url" { count += 85 }
            for call in message.toolCalls ?? [] {
                let function = call.objectValue?["function"]?.objectValue
                count += tokenizer.count(function?["name"]?.stringValue ?? "") + tokenizer.count(function?["arguments"]?.stringValue ?? "")
            }
        }
        if let tools = request.tools, !tools.isEmpty { count += toolTokens(tools, tokenizer: tokenizer) }
        return count
    }

    /// The cookbook's count for function tools (its constants for GPT-4o-era models).
    static func toolTokens(_ tools: [JSONValue], tokenizer: Tokenizer) -> Int {
        let (functionStart, propertiesStart, propertyKey, enumStart, enumItem, functionsEnd) = (7, 3, 3, -3, 3, 12)
        var count = functionsEnd
        for tool in tools {
            guard let function = tool.objectValue?["function"]?.objectValue else { continue }
            count += functionStart
            let name = function["name"]?.stringValue ?? ""
            count += tokenizer.count(name + ":" + withoutFinalPeriod(function["description"]?.stringValue ?? ""))
            let properties = function["parameters"]?.objectValue?["properties"]?.objectValue ?? JSONObject()
            guard !properties.isEmpty else { continue }
            count += propertiesStart
            for (key, value) in properties.entries {
                count += propertyKey
                let property = value.objectValue ?? JSONObject()
                if let options = property["enum"]?.arrayValue {
                    count += enumStart
                    for option in options {
                        count += enumItem + tokenizer.count(option.stringValue ?? option.jsonString)
                    }
                }
                let type = property["type"]?.stringValue ?? ""
                count += tokenizer.count("\(key):\(type):\(withoutFinalPeriod(property["description"]?.stringValue ?? ""))")
            }
        }
        return count
    }

    private static func withoutFinalPeriod(_ text: String) -> String { text.hasSuffix(".") ? String(text.dropLast()) : text }
}
