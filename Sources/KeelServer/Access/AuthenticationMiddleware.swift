import HTTPTypes
import Hummingbird
import KeelCore

/// Puts the caller in every request's context: the key presented as a bearer token (or in
/// `x-api-key`), or, for the dashboard, the key its session cookie stands for. It refuses
/// nothing itself: each route's ``Access`` decides what its caller needs.
public struct AuthenticationMiddleware: RouterMiddleware {
    public typealias Context = KeelRequestContext

    let authenticator: KeyAuthenticator
    let sessions: DashboardSessions

    public init(authenticator: KeyAuthenticator, sessions: DashboardSessions) {
        self.authenticator = authenticator
        self.sessions = sessions
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.identity = await identity(of: request)
        return try await next(request, context)
    }

    private func identity(of request: Request) async -> Identity {
        if let secret = request.bearerToken ?? request.headers[.apiKey] {
            do {
                return .key(try await authenticator.authenticate(secret), session: nil)
            } catch {
                return .refused(KeelError(presenting: error))
            }
        }
        if request.uri.path.hasPrefix("/dashboard"), let secret = request.cookie(DashboardSessions.cookieName) {
            return await sessions.identity(secret: secret)
        }
        return .anonymous
    }
}

extension HTTPField.Name {
    /// Anthropic's key header, which its clients send instead of a bearer token.
    static let apiKey = HTTPField.Name("x-api-key")!
}
