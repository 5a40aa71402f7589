/// How a client that speaks another API than Chat Completions asked, read by ``ValidateStage``:
/// kept on the exchange so that its answer is given in the client's own shape.
public enum ClientDialect: Sendable {
    case responses(ResponsesRequest)
    case messages(MessagesRequest)
}
