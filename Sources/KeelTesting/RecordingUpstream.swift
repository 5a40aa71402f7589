import KeelCore
import Synchronization

/// Passes every call on to another upstream and remembers the chat requests it was sent.
public final class RecordingUpstream: Upstream {
    private let base: any Upstream
    private let sent = Mutex<[ChatCompletionRequest]>([])

    public init(_ base: any Upstream) { self.base = base }

    /// The chat requests received, in order.
    public var requests: [ChatCompletionRequest] { sent.withLock { $0 } }

    public func complete(_ request: ChatCompletionRequest) async throws -> ChatCompletion {
        sent.withLock { $0.append(request) }
        return try await base.complete(request)
    }

    public func stream(_ request: ChatCompletionRequest) async throws -> ChatStream {
        sent.withLock { $0.append(request) }
        return try await base.stream(request)
    }

    public func embed(_ request: EmbeddingsRequest) async throws -> EmbeddingsResponse { try await base.embed(request) }
}
