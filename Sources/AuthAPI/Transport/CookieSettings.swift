import Shared

/// How tokens travel besides JSON bodies, from the configuration: the contract's "Cookie
/// transport" (`AUTH_COOKIE_MODE`, `AUTH_COOKIE_ONLY`, `AUTH_COOKIE_SECURE`,
/// `AUTH_CSRF_COOKIE_DOMAIN`; the origins of `AUTH_CORS_ORIGINS` are trusted for CSRF).
struct CookieSettings: Sendable {
    /// Token responses set cookies, and requests may authenticate with them.
    let enabled: Bool
    /// JSON bodies carry no tokens (implies `enabled`).
    let only: Bool
    let secure: Bool
    let accessTTL: Int
    let refreshTTL: Int
    /// `Domain` of the CSRF cookie, so a page on a sibling sub-domain can read it; nil: host-only.
    let csrfDomain: String?
    /// Origins besides the API's own that may send cookie-authenticated unsafe requests.
    let trustedOrigins: Set<String>

    init(configuration: APIConfiguration) {
        enabled = configuration.cookieMode
        only = configuration.cookieOnly
        secure = configuration.cookieSecure
        accessTTL = Int(configuration.common.accessTTL)
        refreshTTL = Int(configuration.common.refreshTTL)
        csrfDomain = configuration.csrfCookieDomain
        trustedOrigins = configuration.corsOrigins
    }

    /// Whether JSON bodies carry the tokens.
    var tokensInBody: Bool { !only }
}
