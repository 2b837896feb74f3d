import Foundation
import Hummingbird
import Shared

/// The provider's sign-in pages (`/oauth/login`, …): plain forms bound to an interaction of
/// this browser, each with its CSRF token.
struct SignInPagesController {
    let authorization: ProviderAuthorization
    let pages: PageRenderer
    let cookies: ProviderCookies

    var routes: RouteCollection<APIRequestContext> {
        let routes = RouteCollection(context: APIRequestContext.self)
        routes.get("login", use: login)
        return routes
    }

    @Sendable func login(_ request: Request, context: APIRequestContext) async throws -> Response {
        let query = Dictionary(request.queryPairs() ?? [], uniquingKeysWith: { first, _ in first })
        let browser = cookies.value(ProviderCookies.browser, in: request)
        guard let id = query["interaction"], let browser, let interaction = try await authorization.interaction(id, browser: browser) else {
            return pages.error("This sign-in link is unknown, used or expired. Go back to the application and start again.")
        }
        return pages.page("login", [
            "title": "Sign in", "interaction": id, "csrf": authorization.csrfToken(interaction: id, browser: browser),
            "email": interaction.request.loginHint ?? "", "clientName": interaction.request.client.name,
        ])
    }
}
