import Hummingbird
import Shared

/// `/api/accounts`: simplejwt's token endpoints (refresh with rotation, verify), logout by
/// refresh token, and the CSRF token for scripts in cookie mode.
struct TokenController {
    let authentication: Authentication
    let delivery: TokenDelivery

    var routes: RouteCollection<APIRequestContext> {
        let routes = RouteCollection(context: APIRequestContext.self)
        routes.post("token/refresh", use: refresh)
        routes.post("token/verify", use: verify)
        routes.post("logout", use: logout)
        routes.get("csrf", use: csrf)
        return routes
    }

    /// Where a refresh or logout found its refresh token.
    enum Source { case body, cookie }

    /// The refresh token from the body or, in cookie mode, the cookie (which the CSRF checks
    /// must allow); 400 when neither has one.
    private func refreshToken(_ request: Request, _ context: APIRequestContext) async throws -> (token: String, source: Source) {
        let cookieMode = delivery.cookies.settings.enabled
        let body = try TokenRequest(json: try await request.jsonObject(), field: "refresh", required: !cookieMode)
        if let token = body.token { return (token, .body) }
        if let cookie = try context.cookies.refreshToken() { return (cookie, .cookie) }
        throw AuthError.field("refresh", "This field is required.")
    }

    @Sendable func refresh(_ request: Request, context: APIRequestContext) async throws -> Response {
        try delivery.response(try await authentication.refresh(try await refreshToken(request, context).token, client: request.client(context)))
    }

    @Sendable func verify(_ request: Request, context: APIRequestContext) async throws -> EmptyResponse {
        let body = try TokenRequest(json: try await request.jsonObject(), field: "token")
        try await authentication.verify(body.token ?? "")
        return EmptyResponse()
    }

    /// Ends the session of the presented refresh token. The cookies are cleared only when they
    /// belong to that session: a body token of session X must not log the browser out of Y.
    @Sendable func logout(_ request: Request, context: APIRequestContext) async throws -> Response {
        let (token, source) = try await refreshToken(request, context)
        let ended = try await authentication.logout(token, client: request.client(context))
        var response = Response.resetContent
        if source == .cookie {
            delivery.cookies.clear(on: &response)
        } else {
            await delivery.clearCookies(on: &response, carried: context.cookies) { $0.sid == ended }
        }
        return response
    }

    /// The CSRF token for scripts that cannot read the cookie (a page on a sibling sub-domain
    /// without `AUTH_CSRF_COOKIE_DOMAIN`, or one that prefers not to): in the body and the
    /// `X-CSRFToken` header; in cookie mode the cookie is (re)set with it.
    @Sendable func csrf(_ request: Request, context: APIRequestContext) async throws -> Response {
        let token = delivery.cookies.csrfToken(for: request)
        var response = try CSRFResponse(csrftoken: token).response()
        if delivery.cookies.settings.enabled {
            delivery.cookies.setCSRF(token, on: &response)
        } else {
            response.headers[TokenCookies.csrfHeader] = token
        }
        return response
    }
}
