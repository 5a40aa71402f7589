import Foundation

/// Holds a request to its route's PII policy once its prompt is rendered: a type the route blocks
/// ends the request with 400 naming the types (never the values); a type it redacts upstream is
/// sent to the model as a stable placeholder, and the answer — a stream's too, where a placeholder
/// may be split across chunks — gets the values back. Whatever the action, what Keel stores keeps
/// every finding masked (`[EMAIL]`, see ``Exchange/storable(_:)``), and the log records each by
/// type, action and position.
public struct PIIStage: PipelineStage {
    public init() {}

    public func handle(
        _ request: GatewayRequest,
        exchange: Exchange,
        next: (GatewayRequest) async throws -> GatewayResponse
    ) async throws -> GatewayResponse {
        guard case .chat(let chat) = request.payload, let policy = request.route?.pii else { return try await next(request) }
        var placeholders = PIIPlaceholders()
        var blocked: Set<PIIType> = []
        var redactions: [PIIRedaction] = []
        var messages: [JSONObject] = []
        for (index, message) in chat.messages.enumerated() {
            var object = message.json
            func sent(_ text: String, field: String) -> String {
                var bytes = Array(text.utf8)
                let findings = policy.detector.scan(text)
                redactions += findings.map {
                    PIIRedaction(type: $0.type, action: policy.action(for: $0.type), field: field, start: $0.start, end: $0.end)
                }
                // Last to first, so that each replacement leaves the offsets before it as they were.
                for finding in findings.reversed() {
                    switch policy.action(for: finding.type) {
                    case .block: blocked.insert(finding.type)
                    case .redactLog: break
                    case .redactUpstream:
                        let value = String(decoding: bytes[finding.bytes], as: UTF8.self)
                        bytes.replaceSubrange(finding.bytes, with: Array(placeholders.placeholder(for: value, type: finding.type).utf8))
                    }
                }
                return String(decoding: bytes, as: UTF8.self)
            }
            if let text = object["content"]?.stringValue {
                object["content"] = .string(sent(text, field: "messages.\(index).content"))
            } else if let parts = object["content"]?.arrayValue {
                object["content"] = .array(
                    parts.enumerated().map { number, part in
                        guard var part = part.objectValue, let text = part["text"]?.stringValue else { return part }
                        part["text"] = .string(sent(text, field: "messages.\(index).content.\(number).text"))
                        return .object(part)
                    }
                )
            }
            messages.append(object)
        }
        exchange.noteRedactions(redactions)
        if !blocked.isEmpty {
            let names = blocked.sorted().map(\.rawValue).joined(separator: ", ")
            throw KeelError(.piiBlocked, "The request holds personal data this route does not accept: \(names).", param: "messages")
        }
        guard !placeholders.isEmpty else { return try await next(request) }
        var sent = request
        sent.payload = .chat(try chat.replacingMessages(messages))
        switch try await next(sent) {
        case .completion(let completion):
            return .completion(completion.mappingContent(placeholders.restored))
        case .stream(let stream, let includeUsage):
            return .stream(Self.restoring(stream, placeholders), includeUsage: includeUsage)
        case let other:
            return other
        }
    }

    /// `stream` with its text restored: what may be the start of a placeholder is held back until
    /// it is one (or is not), and what is still held goes out with the chunk that ends the text.
    static func restoring(_ stream: ChatStream, _ placeholders: PIIPlaceholders) -> ChatStream {
        stream.mapped(placeholders.stream) { restorer, chunk in
            var chunk = chunk
            if let text = chunk.contentDelta {
                chunk.setContentDelta(restorer.feed(text) + (chunk.finishReason == nil ? "" : restorer.flush()))
            } else if chunk.finishReason != nil {
                let rest = restorer.flush()
                if !rest.isEmpty { chunk.setContentDelta(rest) }
            }
            return chunk
        }
    }
}
