import Hummingbird
import Shared

/// The context of a request whose caller has been authenticated: a protected handler takes
/// this, so it cannot be written — or run — without a caller (Hummingbird's child-context
/// pattern, as in the `auth-otp` example). Made only by `APIRouter.onAuthenticated(_:_:_:)`.
struct AuthenticatedRequestContext: Sendable {
    let base: APIRequestContext
    /// The user and the login session the request's access token (header or cookie) belongs to.
    let caller: Authenticated

    var clientIP: String { base.clientIP }
}

/// Who is calling: the access token of the request (the `Authorization` header, else in cookie
/// mode the access cookie with its CSRF checks), checked against its login session.
struct RequestAuthenticator: Sendable {
    let authentication: Authentication
    let transport: TokenTransport

    func caller(of request: Request) async throws -> Authenticated {
        try await authentication.authenticate(accessToken: try transport.accessToken(request))
    }
}

extension APIRouter {
    typealias ProtectedHandler = @Sendable (Request, AuthenticatedRequestContext) async throws -> Response

    /// Registers a route that needs an authenticated caller: the handler runs only once the
    /// authenticator has produced one, and receives it in its context.
    mutating func onAuthenticated(_ path: String, _ method: HTTPRequest.Method, _ handler: @escaping ProtectedHandler) {
        let authenticator = self.authenticator
        on(path, method) { request, context in
            let caller = try await authenticator.caller(of: request)
            return try await handler(request, AuthenticatedRequestContext(base: context, caller: caller))
        }
    }
}
