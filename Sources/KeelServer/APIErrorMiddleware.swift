import HTTPTypes
import Hummingbird
import KeelCore
import Logging
import NIOHTTP1

/// Every error leaves Keel in its API's error body — OpenAI's `{"error":{"message","type","param","code"}}`,
/// or Anthropic's under `/v1/messages` — with its status; nothing a client sends can turn into an
/// unexplained 500 or a dropped connection.
public struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let shape = ErrorShape(path: request.uri.path)
        do {
            return try await next(request, context)
        } catch let error as KeelError {
            return Response.error(error, shape: shape)
        } catch let error as any HTTPResponseError {
            return Response.error(Self.translate(error.status), shape: shape)
        } catch let error as HTTPParserError {
            return Response.error(KeelError(unreadable: error), shape: shape)
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(error)"])
            return Response.error(KeelError(presenting: error), shape: shape)
        }
    }

    /// Hummingbird's own refusals (unknown path, wrong method, body too large) in Keel's terms.
    static func translate(_ status: HTTPResponse.Status) -> KeelError {
        switch status {
        case .notFound: KeelError(.notFound, "Unknown request URL. Please check the URL and method.")
        case .methodNotAllowed: KeelError(.invalidRequest, "This method is not allowed for this URL.")
        case .contentTooLarge: KeelError(.payloadTooLarge, "The request body is larger than this server accepts.")
        case .badRequest: KeelError(.invalidRequest, "The request could not be read.")
        default: KeelError(.internalError, "The server had an error while processing your request.")
        }
    }
}
