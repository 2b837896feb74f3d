import HTTPTypes
import Hummingbird
import Shared

/// The cookies a response sets in cookie mode: `access_token` and `refresh_token` (HttpOnly,
/// SameSite=Lax, Secure unless turned off) with every response that hands out tokens, the
/// readable `csrftoken` beside them (and its value in the `X-CSRFToken` header, so scripts on
/// another sub-domain need not read cookies), all three expired by the logouts.
struct TokenCookies: Sendable {
    let settings: CookieSettings
    let random: any RandomSource

    static let accessCookie = "access_token"
    static let refreshCookie = "refresh_token"
    static let csrfCookie = "csrftoken"
    static let csrfHeader = HTTPField.Name("X-CSRFToken")!
    static let refreshPath = "/api/accounts/"
    /// Bytes of randomness in a CSRF token (base64url: 32 characters).
    static let csrfBytes = 24

    /// Sets the three cookies on a response that returns tokens (cookie mode only).
    func set(_ tokens: TokenPair, on response: inout Response) {
        guard settings.enabled else { return }
        response.setCookie(cookie(Self.accessCookie, tokens.access, maxAge: settings.accessTTL, path: "/", httpOnly: true))
        response.setCookie(cookie(Self.refreshCookie, tokens.refresh, maxAge: settings.refreshTTL, path: Self.refreshPath, httpOnly: true))
        setCSRF(random.token(byteCount: Self.csrfBytes), on: &response)
    }

    /// Sets the CSRF cookie (with `AUTH_CSRF_COOKIE_DOMAIN`) and the header carrying its value.
    /// With a domain, a host-only `csrftoken` left from before is expired too, or the browser
    /// would keep sending both.
    func setCSRF(_ value: String, on response: inout Response) {
        if settings.csrfDomain != nil { response.setCookie(cookie(Self.csrfCookie, "", maxAge: 0, path: "/", httpOnly: false)) }
        response.setCookie(cookie(Self.csrfCookie, value, maxAge: settings.refreshTTL, path: "/", httpOnly: false, domain: settings.csrfDomain))
        response.headers[Self.csrfHeader] = value
    }

    /// Expires the three cookies (logout, logout-all, deleting the current session); the CSRF
    /// cookie with the same `Domain` it was set with, or the browser keeps it.
    func clear(on response: inout Response) {
        guard settings.enabled else { return }
        response.setCookie(cookie(Self.accessCookie, "", maxAge: 0, path: "/", httpOnly: true))
        response.setCookie(cookie(Self.refreshCookie, "", maxAge: 0, path: Self.refreshPath, httpOnly: true))
        response.setCookie(cookie(Self.csrfCookie, "", maxAge: 0, path: "/", httpOnly: false, domain: settings.csrfDomain))
        if settings.csrfDomain != nil { response.setCookie(cookie(Self.csrfCookie, "", maxAge: 0, path: "/", httpOnly: false)) }
    }

    private func cookie(_ name: String, _ value: String, maxAge: Int, path: String, httpOnly: Bool, domain: String? = nil) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, domain: domain, path: path, secure: settings.secure, httpOnly: httpOnly,
               sameSite: .lax)
    }

    /// The CSRF token `GET /csrf/` hands out: the request's own cookie while it is well-formed
    /// (so other tabs keep a working value, as Django's `get_token` does), else a new one.
    func csrfToken(for request: Request) -> String {
        if let value = CookieHeader.values(Self.csrfCookie, in: request).last, value.utf8.count == 32,
           value.utf8.allSatisfy(Base64URL.isAlphabet) {
            return value
        }
        return random.token(byteCount: Self.csrfBytes)
    }
}
