import Hummingbird
import HummingbirdAuth
import Logging
import Shared

/// Every route of the API, from its controllers, behind the edge's middleware. The groups say
/// who may call: `/api/accounts` routes for anyone, the same prefix behind the authenticator
/// for a caller (`AuthenticatedRequestContext`), `/api/admin` for active staff
/// (`StaffRequestContext`). Built in one place, so the route table is the router's own: the
/// 405 rule and the OpenAPI document's test read it.
func buildRouter(
    accounts: AccountUseCases, database: any AuthBackend, cookies: TokenCookies, corsOrigins: Set<String> = [],
    trustedProxies: [ClientAddressResolver.Network] = [], jwks: JWKSController = JWKSController(),
    metrics: Bool = false, provider: ProviderEdge? = nil, clients: ClientManagement? = nil, clock: any AuthClock
) throws -> Router<APIRequestContext> {
    let router = Router(context: APIRequestContext.self, options: .autoGenerateHeadEndpoints)
    // Outermost first: metrics time everything; CORS and the security headers decorate every
    // answer, errors included, which `ErrorMiddleware` has made into the contract's JSON.
    if metrics { router.add(middleware: RequestMetricsMiddleware()) }
    // The provider's public endpoints allow any origin (the contract's provider section).
    let publicPaths: Set<String> = provider == nil ? [] : [
        "/.well-known/openid-configuration", "/.well-known/jwks.json", "/oauth/token", "/oauth/userinfo", "/oauth/revoke",
    ]
    if !corsOrigins.isEmpty || !publicPaths.isEmpty {
        router.add(middleware: CrossOriginMiddleware(origins: corsOrigins, publicPaths: publicPaths))
    }
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: ErrorMiddleware())
    if !trustedProxies.isEmpty { router.add(middleware: ClientAddressMiddleware(resolver: ClientAddressResolver(trusted: trustedProxies))) }
    if cookies.settings.enabled { router.add(middleware: CookieCredentialsMiddleware(policy: CSRFPolicy(settings: cookies.settings))) }

    let delivery = TokenDelivery(cookies: cookies, authentication: accounts.authentication)
    let authenticator = AccessTokenAuthenticator(authentication: accounts.authentication)

    router.group("/api/accounts")
        .addRoutes(RegistrationController(registration: accounts.registration, verification: accounts.verification, delivery: delivery).routes)
        .addRoutes(LoginController(login: accounts.login, multiFactor: accounts.multiFactor, delivery: delivery).routes)
        .addRoutes(TokenController(authentication: accounts.authentication, delivery: delivery).routes)
        .addRoutes(PasswordResetController(passwordReset: accounts.passwordReset).routes)

    router.group("/api/accounts").add(middleware: authenticator)
        .group(context: AuthenticatedRequestContext.self)
        .addRoutes(ProfileController(profile: accounts.profile).routes)
        .addRoutes(AccountDataController(accountData: accounts.accountData, delivery: delivery, clock: clock).routes)
        .addRoutes(SessionsController(sessions: accounts.sessions, delivery: delivery).routes)
        .addRoutes(MFAController(multiFactor: accounts.multiFactor).routes)
        .addRoutes(CredentialsController(passwordChange: accounts.passwordChange, emailChange: accounts.emailChange, delivery: delivery).routes)

    let staff = router.group("/api/admin").add(middleware: authenticator)
        .group(context: AuthenticatedRequestContext.self)
        .group(context: StaffRequestContext.self)
    staff.addRoutes(AdminController(administration: accounts.administration).routes)
    if let clients { staff.addRoutes(ClientsController(clients: clients).routes) }

    router.addRoutes(HealthController(database: database).routes)
    router.group("/.well-known").addRoutes(jwks.routes)
    if let provider {
        router.group("/.well-known").addRoutes(try DiscoveryController(provider: provider.configuration).routes)
        let cookies = ProviderCookies(provider: provider.configuration)
        router.group("/oauth")
            .addRoutes(AuthorizationController(
                authorization: provider.authorization, provider: provider.configuration, pages: provider.pages, cookies: cookies).routes)
            .addRoutes(ProviderTokenController(endpoint: provider.tokens).routes)
            .addRoutes(SignInPagesController(
                signIn: provider.signIn, provider: provider.configuration, pages: provider.pages, cookies: cookies).routes)
    }
    router.group("/api").addRoutes(SchemaController().routes)

    // Last, with the complete table: it wraps only the router's "no such route" responder.
    router.add(middleware: MethodRulesMiddleware(table: RouteTable(router)))
    return router
}
