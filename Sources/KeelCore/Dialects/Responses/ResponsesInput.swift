/// The Responses API's input items as chat messages: messages keep their role, a model's
/// function calls join the assistant message before them (or make one), and each call's output is
/// a `tool` message. Reasoning items are left out: a chat upstream has no use for them.
enum ResponsesInput {
    static func messages(of items: [JSONValue]) throws(KeelError) -> [JSONValue] {
        guard !items.isEmpty else { throw KeelError(.invalidValue, "Invalid value for 'input': must contain at least one item.", param: "input") }
        var messages: [JSONObject] = []
        for (position, item) in items.enumerated() {
            let path = "input.\(position)"
            guard let object = item.objectValue else { throw FieldReader(JSONObject()).typeError(path, "an object", item) }
            let reader = FieldReader(object, path: path)
            switch try reader.string("type") ?? "message" {
            case "message":
                messages.append(try message(reader))
            case "function_call":
                let call: JSONValue = [
                    "id": .string(try reader.required("call_id", "a string") { $0.stringValue }), "type": "function",
                    "function": [
                        "name": .string(try reader.required("name", "a string") { $0.stringValue }),
                        "arguments": .string(try reader.required("arguments", "a string") { $0.stringValue }),
                    ],
                ]
                if var last = messages.last, last["role"]?.stringValue == "assistant" {
                    last["tool_calls"] = .array((last["tool_calls"]?.arrayValue ?? []) + [call])
                    messages[messages.count - 1] = last
                } else {
                    messages.append(JSONObject([("role", "assistant"), ("content", .null), ("tool_calls", [call])]))
                }
            case "function_call_output":
                let callID = try reader.required("call_id", "a string") { $0.stringValue }
                let output: String
                switch reader.value("output") {
                case .string(let text): output = text
                case .array(let parts): output = parts.compactMap { $0.objectValue?["text"]?.stringValue }.joined(separator: "\n")
                case let other: throw reader.typeError("output", "a string or an array of content parts", other ?? .null)
                }
                messages.append(JSONObject([("role", "tool"), ("tool_call_id", .string(callID)), ("content", .string(output))]))
            case "reasoning":
                continue
            case let type:
                throw KeelError(
                    .unsupportedOperation,
                    "Keel does not support input items of type '\(type)': send messages, function calls and their outputs.",
                    param: reader.param("type")
                )
            }
        }
        return messages.map(JSONValue.object)
    }

    /// A message item: its role, and its content as a string or chat content parts.
    private static func message(_ reader: FieldReader) throws(KeelError) -> JSONObject {
        let role = try reader.required("role", "a string") { $0.stringValue }
        guard ["user", "assistant", "system", "developer"].contains(role) else {
            throw reader.invalid("role", "'\(role)' is not one of 'user', 'assistant', 'system', 'developer'.")
        }
        switch reader.value("content") {
        case .string(let text):
            return JSONObject([("role", .string(role)), ("content", .string(text))])
        case .array(let parts):
            let converted = try parts.enumerated().map { position, part throws(KeelError) in
                try contentPart(part, path: reader.param("content.\(position)"))
            }
            // An assistant's text goes upstream as one string, as chat upstreams expect of it.
            if role == "assistant" {
                let text = converted.compactMap { $0.objectValue?["text"]?.stringValue }.joined()
                return JSONObject([("role", "assistant"), ("content", .string(text))])
            }
            return JSONObject([("role", .string(role)), ("content", .array(converted))])
        case let other:
            throw reader.typeError("content", "a string or an array of content parts", other ?? .null)
        }
    }

    private static func contentPart(_ part: JSONValue, path: String) throws(KeelError) -> JSONValue {
        guard let object = part.objectValue else { throw FieldReader(JSONObject()).typeError(path, "an object", part) }
        let reader = FieldReader(object, path: path)
        switch try reader.required("type", "a string", { $0.stringValue }) {
        case "input_text", "output_text":
            return ["type": "text", "text": .string(try reader.required("text", "a string") { $0.stringValue })]
        case "refusal":
            return ["type": "text", "text": .string(try reader.required("refusal", "a string") { $0.stringValue })]
        case "input_image":
            guard let url = try reader.string("image_url") else {
                throw KeelError(
                    .unsupportedOperation,
                    "Keel takes images by 'image_url' (a URL or data URL), not by file id.",
                    param: reader.param("image_url")
                )
            }
            var image = JSONObject([("url", .string(url))])
            image["detail"] = reader.value("detail")
            return ["type": "image_url", "image_url": .object(image)]
        case let type:
            throw KeelError(.unsupportedOperation, "Keel does not support content parts of type '\(type)'.", param: reader.param("type"))
        }
    }
}
