import HTTPTypes
import Hummingbird
import KeelCore
import NIOCore

/// Writes a chat stream as OpenAI does: `data: {chunk}` events and a final `data: [DONE]`.
/// A stream that fails after its first byte ends with an error event and no `[DONE]`, so that no
/// client can mistake a cut stream for a finished one.
enum ServerSentEvents {
    static func response(for stream: ChatStream, includeUsage: Bool, requestID: String) -> Response {
        let headers: HTTPFields = [
            .contentType: "text/event-stream", .cacheControl: "no-cache", .requestID: requestID,
        ]
        let body = ResponseBody { writer in
            do {
                for try await chunk in stream {
                    var chunk = chunk
                    if !includeUsage {
                        if chunk.isUsageOnly { continue }
                        chunk.removeUsage()
                    }
                    try await writer.write(event(.object(chunk.json)))
                }
                try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                try await writer.write(event(KeelError(presenting: error).body))
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
