/// Turns a chat stream into the Responses API's typed events, in OpenAI's order:
/// `response.created`, `response.in_progress`; for the text `response.output_item.added`,
/// `response.content_part.added`, `response.output_text.delta`…, `response.output_text.done`,
/// `response.content_part.done`, `response.output_item.done`; for each tool call its item with
/// `response.function_call_arguments.delta`… and `.done`; then `response.completed` (or
/// `response.incomplete`) with the finished object — or `response.failed` when the upstream fails
/// after the stream began, never a clean end.
public struct ResponsesStreamTranslator: ChunkTranslator {
    private let object: ResponseObject
    private var model: String
    private var sequence = 0
    private var transcript = StreamTranscript()
    private var nextOutputIndex = 0
    /// The message item, once begun: its output index, its parts so far, and whether it is still open.
    private var message: (outputIndex: Int, parts: [(kind: String, text: String)], open: Bool)?
    /// Tool calls by their chat delta index, in the order they began.
    private var calls: [(deltaIndex: Int, outputIndex: Int, callID: String, name: String, arguments: String, open: Bool)] = []
    private var usage: TokenUsage?

    public init(object: ResponseObject, model: String) {
        self.object = object
        self.model = model
    }

    public mutating func start() -> [NamedEvent] {
        let response = JSONValue.object(object.json(status: .inProgress, model: model))
        return [event("response.created", [("response", response)]), event("response.in_progress", [("response", response)])]
    }

    public mutating func translate(_ chunk: ChatCompletionChunk) -> [NamedEvent] {
        transcript.add(chunk)
        if let chunkModel = chunk.json["model"]?.stringValue, !chunkModel.isEmpty, chunkModel != "unknown" { model = chunkModel }
        if let usage = chunk.usage { self.usage = usage }
        var events: [NamedEvent] = []
        if let text = chunk.contentDelta, !text.isEmpty { events += append(text, kind: "output_text") }
        if let refusal = chunk.refusalDelta, !refusal.isEmpty { events += append(refusal, kind: "refusal") }
        let delta = chunk.json["choices"]?.arrayValue?.first?.objectValue?["delta"]?.objectValue
        for call in delta?["tool_calls"]?.arrayValue ?? [] {
            guard let call = call.objectValue else { continue }
            events += addToolCall(call)
        }
        return events
    }

    public mutating func finish() -> [NamedEvent] {
        var events = closeMessage() + closeCalls()
        let completion = transcript.completion
        let final =
            completion.map { object.json(for: $0) }
            ?? object.json(status: .completed, model: model, output: outputSoFar(), usage: usage)
        let status = final["status"]?.stringValue == ResponseObject.Status.incomplete.rawValue ? "response.incomplete" : "response.completed"
        events.append(event(status, [("response", .object(final))]))
        return events
    }

    public mutating func fail(_ error: KeelError) -> [NamedEvent] {
        let failed = object.json(status: .failed, model: model, output: outputSoFar(), usage: usage, error: error)
        return [event("response.failed", [("response", .object(failed))])]
    }

    // MARK: The message item

    private mutating func append(_ text: String, kind: String) -> [NamedEvent] {
        var events = closeCalls()
        if message == nil {
            message = (nextOutputIndex, [], true)
            nextOutputIndex += 1
            events.append(
                event(
                    "response.output_item.added",
                    [("output_index", index), ("item", .object(object.messageItem(status: "in_progress", content: [])))]
                )
            )
        }
        guard var open = message, open.open else { return events }
        if open.parts.last?.kind != kind {
            open.parts.append((kind, ""))
            events.append(event("response.content_part.added", itemFields(open) + [("part", .object(part(kind, "")))]))
        }
        open.parts[open.parts.count - 1].text += text
        message = open
        let deltaName = kind == "refusal" ? "response.refusal.delta" : "response.output_text.delta"
        var fields = itemFields(open) + [("delta", JSONValue.string(text))]
        if kind == "output_text" { fields.append(("logprobs", [])) }
        events.append(event(deltaName, fields))
        return events
    }

    private mutating func closeMessage() -> [NamedEvent] {
        guard let open = message, open.open else { return [] }
        message?.open = false
        var events: [NamedEvent] = []
        for (position, part) in open.parts.enumerated() {
            var fields = [
                ("item_id", JSONValue.string(object.messageID)), ("output_index", JSONValue(open.outputIndex)),
                ("content_index", JSONValue(position)),
            ]
            if part.kind == "refusal" {
                events.append(event("response.refusal.done", fields + [("refusal", .string(part.text))]))
            } else {
                events.append(event("response.output_text.done", fields + [("text", .string(part.text)), ("logprobs", [])]))
            }
            fields.append(("part", .object(self.part(part.kind, part.text))))
            events.append(event("response.content_part.done", fields))
        }
        let item = object.messageItem(status: "completed", content: open.parts.map { .object(part($0.kind, $0.text)) })
        events.append(event("response.output_item.done", [("output_index", JSONValue(open.outputIndex)), ("item", .object(item))]))
        return events
    }

    private var index: JSONValue { JSONValue(message?.outputIndex ?? 0) }

    private func itemFields(_ open: (outputIndex: Int, parts: [(kind: String, text: String)], open: Bool)) -> [(String, JSONValue)] {
        [("item_id", .string(object.messageID)), ("output_index", JSONValue(open.outputIndex)), ("content_index", JSONValue(open.parts.count - 1))]
    }

    private func part(_ kind: String, _ text: String) -> JSONObject {
        kind == "refusal" ? ResponseObject.refusalPart(text) : ResponseObject.textPart(text)
    }

    // MARK: Function calls

    private mutating func addToolCall(_ delta: JSONObject) -> [NamedEvent] {
        let deltaIndex = Int(delta["index"]?.integerValue ?? Int64(calls.count))
        let function = delta["function"]?.objectValue
        var events: [NamedEvent] = []
        if !calls.contains(where: { $0.deltaIndex == deltaIndex }) {
            events += closeMessage() + closeCalls()
            let callID = delta["id"]?.stringValue ?? object.functionCallID(calls.count)
            let name = function?["name"]?.stringValue ?? ""
            calls.append((deltaIndex, nextOutputIndex, callID, name, "", true))
            nextOutputIndex += 1
            let item = object.functionCallItem(index: calls.count - 1, callID: callID, name: name, arguments: "", status: "in_progress")
            events.append(event("response.output_item.added", [("output_index", JSONValue(nextOutputIndex - 1)), ("item", .object(item))]))
        }
        guard let position = calls.firstIndex(where: { $0.deltaIndex == deltaIndex }),
            let arguments = function?["arguments"]?.stringValue, !arguments.isEmpty
        else { return events }
        calls[position].arguments += arguments
        events.append(
            event(
                "response.function_call_arguments.delta",
                [
                    ("item_id", .string(object.functionCallID(position))), ("output_index", JSONValue(calls[position].outputIndex)),
                    ("delta", .string(arguments)),
                ]
            )
        )
        return events
    }

    private mutating func closeCalls() -> [NamedEvent] {
        var events: [NamedEvent] = []
        for position in calls.indices where calls[position].open {
            calls[position].open = false
            let call = calls[position]
            let outputIndex = JSONValue(call.outputIndex)
            events.append(
                event(
                    "response.function_call_arguments.done",
                    [
                        ("item_id", .string(object.functionCallID(position))), ("output_index", outputIndex), ("name", .string(call.name)),
                        ("arguments", .string(call.arguments)),
                    ]
                )
            )
            let item = object.functionCallItem(index: position, callID: call.callID, name: call.name, arguments: call.arguments, status: "completed")
            events.append(event("response.output_item.done", [("output_index", outputIndex), ("item", .object(item))]))
        }
        return events
    }

    /// The items streamed so far, as the failed or unrebuilt response lists them.
    private func outputSoFar() -> [JSONValue] {
        var items: [(Int, JSONValue)] = []
        if let begun = message {
            let item = object.messageItem(
                status: begun.open ? "incomplete" : "completed",
                content: begun.parts.map { .object(part($0.kind, $0.text)) }
            )
            items.append((begun.outputIndex, .object(item)))
        }
        for (position, call) in calls.enumerated() {
            let item = object.functionCallItem(
                index: position,
                callID: call.callID,
                name: call.name,
                arguments: call.arguments,
                status: call.open ? "incomplete" : "completed"
            )
            items.append((call.outputIndex, .object(item)))
        }
        return items.sorted { $0.0 < $1.0 }.map(\.1)
    }

    private mutating func event(_ type: String, _ fields: [(String, JSONValue)]) -> NamedEvent {
        defer { sequence += 1 }
        return NamedEvent(type, JSONObject([("type", .string(type))] + fields + [("sequence_number", JSONValue(sequence))]))
    }
}
