import KeelCore
import NIOHTTP1

extension KeelError {
    /// A request that broke the HTTP/1.1 framing (an invalid chunk size, say): the client's fault, a 400.
    init(unreadable error: HTTPParserError) {
        self.init(.invalidRequest, "The request could not be read as HTTP/1.1: \(error).")
    }
}
