import HTTPTypes
import Hummingbird
import KeelCore
import NIOCore

/// Writes a chat stream as OpenAI does: `data: {chunk}` events and a final `data: [DONE]`.
/// A stream that fails after its first byte ends with an error event and no `[DONE]`, so that no
/// client can mistake a cut stream for a finished one. The Responses and Messages APIs' streams
/// are named events (`event: NAME` and `data: {…}`), whose translators end a failed stream with
/// their API's own failure events.
enum ServerSentEvents {
    /// What the client sees when the stream fails after its first byte.
    enum FailureMode {
        /// An error event in OpenAI's error shape, and no `[DONE]`.
        case errorEvent
        /// The connection drops, as a failing upstream's would (the simulator rehearses this).
        case dropConnection
    }

    static func response(for stream: ChatStream, includeUsage: Bool, requestID: String?, onFailure: FailureMode = .errorEvent) -> Response {
        var headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]
        if let requestID { headers[.requestID] = requestID }
        let body = ResponseBody { writer in
            do {
                for try await chunk in stream {
                    guard let chunk = chunk.forClient(includeUsage: includeUsage) else { continue }
                    try await writer.write(event(.object(chunk.json)))
                }
                try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
            } catch let error where error is CancellationError || onFailure == .dropConnection {
                throw error
            } catch {
                try await writer.write(event(KeelError(presenting: error).body))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// A stream of named events, each written as it comes.
    static func response(for events: EventStream, headers extra: HTTPFields) -> Response {
        var headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]
        headers.append(contentsOf: extra)
        let body = ResponseBody { writer in
            for try await event in events {
                var bytes = Array("event: \(event.name)\ndata: ".utf8)
                JSONValue.object(event.data).write(to: &bytes)
                bytes.append(contentsOf: [0x0A, 0x0A])
                try await writer.write(ByteBuffer(bytes: bytes))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    private static func event(_ value: JSONValue) -> ByteBuffer {
        var bytes = Array("data: ".utf8)
        value.write(to: &bytes)
        bytes.append(contentsOf: [0x0A, 0x0A])
        return ByteBuffer(bytes: bytes)
    }
}
