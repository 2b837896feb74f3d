import Foundation
import HTTPTypes
import Hummingbird
import Shared

/// The provider's sign-in pages (`/oauth/login`, `/oauth/mfa`, `/oauth/consent`): plain forms
/// bound to an interaction of this browser, each with its CSRF token. A successful POST answers
/// 303 to the next step (the second factor, consent, then the client with a code); a refused
/// one shows its page again, or the error page.
struct SignInPagesController {
    let signIn: ProviderSignIn
    let provider: ProviderConfiguration
    let pages: PageRenderer
    let cookies: ProviderCookies

    var routes: RouteCollection<APIRequestContext> {
        let routes = RouteCollection(context: APIRequestContext.self)
        routes.get("login", use: loginPage)
        routes.post("login", use: login)
        routes.get("mfa", use: secondFactorPage)
        routes.post("mfa", use: secondFactor)
        routes.get("consent", use: consentPage)
        routes.post("consent", use: consent)
        return routes
    }

    static let unknownInteraction = "This sign-in link is unknown, used or expired. Go back to the application and start again."

    /// What each scope lets the client see, as the consent page lists it.
    static let scopeDescriptions = [
        ProviderScope.openid: "Know who you are",
        ProviderScope.email: "See your e-mail address",
        ProviderScope.profile: "See your name",
        ProviderScope.offlineAccess: "Keep access while you are away",
    ]

    // MARK: pages

    @Sendable func loginPage(_ request: Request, context: APIRequestContext) async throws -> Response {
        let (id, browser) = Self.interactionQuery(request, cookies)
        guard let interaction = try await signIn.interaction(id, browser: browser, at: .login), let id, let browser else {
            return pages.error(Self.unknownInteraction)
        }
        return loginForm(id, browser, interaction, email: interaction.request.loginHint ?? "")
    }

    func loginForm(_ id: String, _ browser: String, _ interaction: Interaction, email: String, error: String? = nil,
                   status: HTTPResponse.Status = .ok) -> Response {
        var values: [String: Any] = [
            "title": "Sign in", "interaction": id, "csrf": signIn.csrfToken(interaction: id, browser: browser), "email": email,
            "clientName": interaction.request.client.name,
        ]
        if let error { values["error"] = error }
        return pages.page("login", status: status, values)
    }

    @Sendable func secondFactorPage(_ request: Request, context: APIRequestContext) async throws -> Response {
        let (id, browser) = Self.interactionQuery(request, cookies)
        guard try await signIn.interaction(id, browser: browser, at: .mfa) != nil, let id, let browser else {
            return pages.error(Self.unknownInteraction)
        }
        return secondFactorForm(id, browser)
    }

    func secondFactorForm(_ id: String, _ browser: String, error: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
        var values: [String: Any] = ["title": "Two-step verification", "interaction": id,
                                     "csrf": signIn.csrfToken(interaction: id, browser: browser)]
        if let error { values["error"] = error }
        return pages.page("mfa", status: status, values)
    }

    @Sendable func consentPage(_ request: Request, context: APIRequestContext) async throws -> Response {
        let (id, browser) = Self.interactionQuery(request, cookies)
        guard let interaction = try await signIn.interaction(id, browser: browser, at: .consent), let id, let browser else {
            return pages.error(Self.unknownInteraction)
        }
        let scopes: [[String: String]] = interaction.request.scopes.map { ["name": $0, "description": Self.scopeDescriptions[$0] ?? $0] }
        return pages.page("consent", [
            "title": "Allow access?", "interaction": id, "csrf": signIn.csrfToken(interaction: id, browser: browser),
            "clientName": interaction.request.client.name, "scopes": scopes,
        ])
    }

    // MARK: posts

    @Sendable func login(_ request: Request, context: APIRequestContext) async throws -> Response {
        guard let form = try await Self.form(request) else { return pages.error("The form could not be read.") }
        let browser = cookies.value(ProviderCookies.browser, in: request)
        let email = form["email"] ?? ""
        do {
            let step = try await signIn.login(
                interaction: form["interaction"], browser: browser, csrf: form["csrf"], email: email, password: form["password"] ?? "",
                client: request.client(context))
            return respond(step)
        } catch let error as AuthError {
            guard let id = form["interaction"], let browser, let interaction = try await signIn.interaction(id, browser: browser, at: .login)
            else { return pages.error(Self.unknownInteraction) }
            switch error {
            case .invalidCredentials, .fields:
                return loginForm(id, browser, interaction, email: email, error: "Wrong e-mail address or password.", status: .unauthorized)
            case .emailNotVerified:
                return loginForm(id, browser, interaction, email: email,
                                 error: "Verify your e-mail address first: use the code we sent you, then sign in again.", status: .forbidden)
            case .throttled(let retryAfter):
                return throttled(retryAfter)
            default:
                throw error
            }
        } catch let refusal as ProviderSignIn.Refusal {
            return refused(refusal)
        }
    }

    @Sendable func secondFactor(_ request: Request, context: APIRequestContext) async throws -> Response {
        guard let form = try await Self.form(request) else { return pages.error("The form could not be read.") }
        let browser = cookies.value(ProviderCookies.browser, in: request)
        do {
            let step = try await signIn.secondFactor(
                interaction: form["interaction"], browser: browser, csrf: form["csrf"], code: form["code"] ?? "", client: request.client(context))
            return respond(step)
        } catch AuthError.mfaInvalid {
            guard let id = form["interaction"], let browser else { return pages.error(Self.unknownInteraction) }
            return secondFactorForm(id, browser, error: "That code is not valid. Try the current code, or a recovery code.", status: .badRequest)
        } catch AuthError.throttled(let retryAfter) {
            return throttled(retryAfter)
        } catch let refusal as ProviderSignIn.Refusal {
            return refused(refusal)
        }
    }

    @Sendable func consent(_ request: Request, context: APIRequestContext) async throws -> Response {
        guard let form = try await Self.form(request) else { return pages.error("The form could not be read.") }
        do {
            let step = try await signIn.consent(
                interaction: form["interaction"], browser: cookies.value(ProviderCookies.browser, in: request), csrf: form["csrf"],
                allow: form["decision"] == "allow", client: request.client(context))
            return respond(step)
        } catch let refusal as ProviderSignIn.Refusal {
            return refused(refusal)
        }
    }

    // MARK: answers

    /// 303 to the next page or to the client; the new sign-in session's cookie when one opened.
    func respond(_ step: ProviderSignIn.Step) -> Response {
        let location: String
        switch step.next {
        case .secondFactor(let id): location = provider.url("/oauth/mfa?interaction=\(id)")
        case .consent(let id): location = provider.url("/oauth/consent?interaction=\(id)")
        case .client(let redirect): location = redirect.location(issuer: provider.issuer)
        }
        var response = Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
        if let cookie = step.sessionCookie {
            response.headers.append(HTTPField(name: .setCookie, value: cookies.setCookie(ProviderCookies.session, cookie)))
        }
        return response
    }

    func refused(_ refusal: ProviderSignIn.Refusal) -> Response {
        switch refusal {
        case .forbidden:
            return pages.error("This form has expired or was not sent by this browser. Go back to the application and start again.",
                               title: "Forbidden", status: .forbidden)
        case .unknownInteraction:
            return pages.error(Self.unknownInteraction)
        case .interactionEnded:
            return pages.error("Too many wrong codes. Go back to the application and start again.")
        }
    }

    func throttled(_ retryAfter: Int) -> Response {
        var response = pages.error("Too many attempts. Try again in \(retryAfter) seconds.", title: "Too many attempts", status: .tooManyRequests)
        response.headers[.retryAfter] = "\(retryAfter)"
        return response
    }

    static func interactionQuery(_ request: Request, _ cookies: ProviderCookies) -> (String?, String?) {
        let query = Dictionary(request.queryPairs() ?? [], uniquingKeysWith: { first, _ in first })
        return (query["interaction"], cookies.value(ProviderCookies.browser, in: request))
    }

    /// A page's form fields (the first of each name); nil when the body is not a form.
    static func form(_ request: Request) async throws -> [String: String]? {
        guard let pairs = try await request.formParameters() else { return nil }
        return Dictionary(pairs, uniquingKeysWith: { first, _ in first })
    }
}
