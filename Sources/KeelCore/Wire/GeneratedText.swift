/// The generated text of a message or a stream delta: content, refusal and tool-call arguments.
enum GeneratedText {
    static func of(_ message: JSONValue?) -> String {
        guard let message = message?.objectValue else { return "" }
        var text = (message["content"]?.stringValue ?? "") + (message["refusal"]?.stringValue ?? "")
        for call in message["tool_calls"]?.arrayValue ?? [] {
            let function = call.objectValue?["function"]?.objectValue
            text += (function?["name"]?.stringValue ?? "") + (function?["arguments"]?.stringValue ?? "")
        }
        return text
    }
}
