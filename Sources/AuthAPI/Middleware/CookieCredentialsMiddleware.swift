import Hummingbird

/// Cookie mode: the request's token cookies and their CSRF verdict into the context
/// (`CookieCredentials`), for whatever route uses a cookie. Not installed outside cookie mode,
/// where requests never authenticate with cookies.
struct CookieCredentialsMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let policy: CSRFPolicy

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.cookies = CookieCredentials(of: request, policy: policy)
        return try await next(request, context)
    }
}
