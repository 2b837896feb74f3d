import HTTPTypes
import Hummingbird

/// CORS for the origins of `AUTH_CORS_ORIGINS`, as the contract's "Cookie transport" section
/// says. Hummingbird's `CORSMiddleware` cannot meet it: it answers every `OPTIONS` carrying an
/// `Origin` itself, with a fixed method list and `Allow-Credentials` even for an unlisted origin,
/// and exposes headers on preflights only. Here a listed origin gets credentials headers on every
/// answer and `X-CSRFToken` exposed; a preflight's allowed methods are the route's own `Allow`
/// (set by `MethodRulesMiddleware`, which answers `OPTIONS`); an unlisted origin gets nothing.
///
/// The OpenID Provider's public endpoints (`publicPaths`: discovery, JWKS, token, userinfo,
/// revoke) are another rule, the one the contract's provider section states: any origin, `*`,
/// never credentials, whatever `AUTH_CORS_ORIGINS` says. Both rules live here, so a path gets
/// exactly one of them.
struct CrossOriginMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let origins: Set<String>
    /// Paths without their trailing `/`.
    let publicPaths: Set<String>

    init(origins: Set<String>, publicPaths: Set<String> = []) {
        self.origins = origins
        self.publicPaths = publicPaths
    }

    static let allowedHeaders = "Authorization, Content-Type, X-CSRFToken"
    static let publicAllowedHeaders = "Authorization, Content-Type"
    static let maxAge = "600"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        var path = Substring(request.uri.path)
        if path.count > 1, path.hasSuffix("/") { path = path.dropLast() }
        if publicPaths.contains(String(path)) {
            if request.headers[.origin] != nil {
                response.headers[.accessControlAllowOrigin] = "*"
                if request.method == .options, request.headers[.accessControlRequestMethod] != nil, response.status == .noContent,
                   let allow = response.headers[.allow] {
                    response.headers[.accessControlAllowMethods] = allow
                    response.headers[.accessControlAllowHeaders] = Self.publicAllowedHeaders
                    response.headers[.accessControlMaxAge] = Self.maxAge
                }
            }
            return response
        }
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
        // Answers differ by Origin whenever credentialed CORS is on: caches must key on it.
        if !origins.isEmpty { response.headers.append(HTTPField(name: .vary, value: "Origin")) }
        return response
    }
}
