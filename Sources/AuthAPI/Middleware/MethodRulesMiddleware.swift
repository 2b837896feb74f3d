import Hummingbird

/// The contract's rules for a path the router serves, but not with the request's method:
/// `OPTIONS` is 204 with `Allow` (the answer a CORS preflight builds on), any other method
/// — `TRACE` and unknown ones included — is 405 JSON with `Allow`, never 404 or 501. Added to
/// the router after every route, so it wraps only the router's "no such route" responder; a
/// path that no route has goes on to the router's 404.
struct MethodRulesMiddleware<Context: RequestContext>: RouterMiddleware {
    let table: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let route = table.route(for: request.uri.path) else { return try await next(request, context) }
        let allowed = route.allowed
        if request.method == .options {
            return Response(status: .noContent, headers: [.allow: allowed.joined(separator: ", ")])
        }
        throw APIError.methodNotAllowed(request.method.rawValue, allow: allowed)
    }
}
