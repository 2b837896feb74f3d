import Hummingbird

/// `X-Content-Type-Options: nosniff` on every answer, errors included: a JSON body is never
/// to be sniffed into something a browser would run.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        return response
    }
}
