import Foundation
import HTTPTypes
import Hummingbird
import Shared

/// `GET|POST /oauth/authorize`: the start of every sign-in through the provider. A request that
/// cannot go back to its client gets the 400 error page; any other problem goes back to the
/// client as an error redirect (with `iss`); a valid request goes on to the sign-in pages.
struct AuthorizationController {
    let authorization: ProviderAuthorization
    let provider: ProviderConfiguration
    let pages: PageRenderer
    let cookies: ProviderCookies

    var routes: RouteCollection<APIRequestContext> {
        let routes = RouteCollection(context: APIRequestContext.self)
        routes.get("authorize", use: authorize)
        routes.post("authorize", use: authorize)
        routes.get("static/style.css") { _, _ in pages.stylesheetResponse }
        return routes
    }

    @Sendable func authorize(_ request: Request, context: APIRequestContext) async throws -> Response {
        guard let parameters = try await request.formParameters() else {
            return pages.error("The request's parameters could not be read (a form body or a query string is expected).")
        }
        let browser = cookies.value(ProviderCookies.browser, in: request)
        switch try await authorization.authorize(parameters, browser: browser) {
        case .page(let reason):
            return pages.error(reason)
        case .redirect(let redirect):
            return Self.redirect(to: redirect.location(issuer: provider.issuer), after: request)
        case .login(let interaction, let newBrowser):
            var response = Self.redirect(to: provider.url("/oauth/login?interaction=\(interaction)"), after: request)
            if newBrowser != browser { response.headers.append(HTTPField(name: .setCookie, value: cookies.setCookie(ProviderCookies.browser, newBrowser))) }
            return response
        }
    }

    /// 302 after a GET, 303 after a POST (so the browser does not post again), never cached.
    static func redirect(to location: String, after request: Request) -> Response {
        Response(status: request.method == .post ? .seeOther : .found, headers: [.location: location, .cacheControl: "no-store"])
    }
}
