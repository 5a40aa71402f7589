/// A model provider Keel calls: it speaks the OpenAI wire types whatever its own API is.
///
/// Implementations throw ``UpstreamError`` for every failure of the provider and let
/// `CancellationError` through when the caller goes away.
public protocol Upstream: Sendable {
    func complete(_ request: ChatCompletionRequest) async throws -> ChatCompletion
    /// Starts a stream; failures before the first chunk are thrown here, later ones by the stream.
    func stream(_ request: ChatCompletionRequest) async throws -> ChatStream
    func embed(_ request: EmbeddingsRequest) async throws -> EmbeddingsResponse
}
