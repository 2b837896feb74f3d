import HTTPTypes
import Hummingbird

/// CORS for the origins of `AUTH_CORS_ORIGINS`, as the contract's "Cookie transport" section
/// says. Hummingbird's `CORSMiddleware` cannot meet it: it answers every `OPTIONS` carrying an
/// `Origin` itself, with a fixed method list and `Allow-Credentials` even for an unlisted origin,
/// and exposes headers on preflights only. Here a listed origin gets credentials headers on every
/// answer and `X-CSRFToken` exposed; a preflight's allowed methods are the route's own `Allow`
/// (set by `MethodRulesMiddleware`, which answers `OPTIONS`); an unlisted origin gets nothing.
struct CrossOriginMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let origins: Set<String>

    static let allowedHeaders = "Authorization, Content-Type, X-CSRFToken"
    static let maxAge = "600"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if let origin = request.headers[.origin], origins.contains(origin) {
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.accessControlAllowCredentials] = "true"
            if request.method == .options {
                if request.headers[.accessControlRequestMethod] != nil, response.status == .noContent, let allow = response.headers[.allow] {
                    response.headers[.accessControlAllowMethods] = allow
                    response.headers[.accessControlAllowHeaders] = Self.allowedHeaders
                    response.headers[.accessControlMaxAge] = Self.maxAge
                }
            } else {
                // A script on a listed origin may read the CSRF token a response hands out.
                response.headers[.accessControlExposeHeaders] = "X-CSRFToken"
            }
        }
        // Answers differ by Origin whenever CORS is on: caches must key on it.
        response.headers.append(HTTPField(name: .vary, value: "Origin"))
        return response
    }
}
