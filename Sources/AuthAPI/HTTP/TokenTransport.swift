import Foundation
import HTTPTypes
import Hummingbird
import Shared

/// Where tokens travel: JSON bodies and the `Authorization` header always (unless cookie-only),
/// and, in cookie mode, HttpOnly cookies guarded by a double-submit CSRF token and an origin
/// check, as the contract's "Cookie transport" section says.
struct TokenTransport: Sendable {
    let cookieMode: Bool
    let cookieOnly: Bool
    let secure: Bool
    let accessTTL: Int
    let refreshTTL: Int
    /// `Domain` of the CSRF cookie, so a page on a sibling sub-domain can read it; nil: host-only.
    let csrfDomain: String?
    /// Origins besides the API's own that may send cookie-authenticated unsafe requests.
    let trustedOrigins: Set<String>
    let random: any RandomSource

    static let accessCookie = "access_token"
    static let refreshCookie = "refresh_token"
    static let csrfCookie = "csrftoken"
    static let csrfHeader = HTTPField.Name("X-CSRFToken")!
    static let refreshPath = "/api/accounts/"
    /// Bytes of randomness in a CSRF token (base64url: 32 characters).
    static let csrfBytes = 24

    init(configuration: APIConfiguration, random: any RandomSource) {
        cookieMode = configuration.cookieMode
        cookieOnly = configuration.cookieOnly
        secure = configuration.cookieSecure
        accessTTL = Int(configuration.common.accessTTL)
        refreshTTL = Int(configuration.common.refreshTTL)
        csrfDomain = configuration.csrfCookieDomain
        trustedOrigins = configuration.corsOrigins
        self.random = random
    }

    /// Whether JSON bodies carry the tokens.
    var tokensInBody: Bool { !cookieOnly }

    /// Sets the three cookies on a response that returns tokens (cookie mode only), and the CSRF
    /// value in the `X-CSRFToken` header too, so scripts on another sub-domain need not read cookies.
    func setCookies(_ tokens: TokenPair, on response: inout Response) {
        guard cookieMode else { return }
        response.setCookie(cookie(Self.accessCookie, tokens.access, maxAge: accessTTL, path: "/", httpOnly: true))
        response.setCookie(cookie(Self.refreshCookie, tokens.refresh, maxAge: refreshTTL, path: Self.refreshPath, httpOnly: true))
        setCSRF(random.token(byteCount: Self.csrfBytes), on: &response)
    }

    /// Sets the CSRF cookie (with `AUTH_CSRF_COOKIE_DOMAIN`) and the header carrying its value.
    /// With a domain, a host-only `csrftoken` left from before is expired too, or the browser
    /// would keep sending both.
    func setCSRF(_ value: String, on response: inout Response) {
        if csrfDomain != nil { response.setCookie(cookie(Self.csrfCookie, "", maxAge: 0, path: "/", httpOnly: false)) }
        response.setCookie(cookie(Self.csrfCookie, value, maxAge: refreshTTL, path: "/", httpOnly: false, domain: csrfDomain))
        response.headers[Self.csrfHeader] = value
    }

    /// Expires the three cookies (logout, logout-all, deleting the current session); the CSRF
    /// cookie with the same `Domain` it was set with, or the browser keeps it.
    func clearCookies(on response: inout Response) {
        guard cookieMode else { return }
        response.setCookie(cookie(Self.accessCookie, "", maxAge: 0, path: "/", httpOnly: true))
        response.setCookie(cookie(Self.refreshCookie, "", maxAge: 0, path: Self.refreshPath, httpOnly: true))
        response.setCookie(cookie(Self.csrfCookie, "", maxAge: 0, path: "/", httpOnly: false, domain: csrfDomain))
        if csrfDomain != nil { response.setCookie(cookie(Self.csrfCookie, "", maxAge: 0, path: "/", httpOnly: false)) }
    }

    private func cookie(_ name: String, _ value: String, maxAge: Int, path: String, httpOnly: Bool, domain: String? = nil) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, domain: domain, path: path, secure: secure, httpOnly: httpOnly, sameSite: .lax)
    }

    /// The CSRF token `GET /csrf/` hands out: the request's own cookie while it is well-formed
    /// (so other tabs keep a working value, as Django's `get_token` does), else a new one.
    func csrfToken(for request: Request) -> String {
        if let value = Self.csrfCookies(request).last, value.utf8.count == 32, value.utf8.allSatisfy(Base64URL.isAlphabet) {
            return value
        }
        return random.token(byteCount: Self.csrfBytes)
    }

    /// Every `csrftoken` value the request carries: a browser sends one per matching cookie
    /// (a host-only one and a `Domain` one, or one a sibling sub-domain planted), most specific first.
    static func csrfCookies(_ request: Request) -> [String] {
        request.headers[values: .cookie].flatMap { $0.split(separator: ";") }.compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == csrfCookie else { return nil }
            let value = parts[1].trimmingCharacters(in: .whitespaces)
            return value.isEmpty ? nil : value
        }
    }

    /// The access token of a request: the `Authorization` header, else (cookie mode) the access
    /// cookie — which, on an unsafe method, requires the CSRF checks to pass.
    func accessToken(_ request: Request) throws -> String {
        if !request.headers[values: .authorization].isEmpty || !cookieMode {
            return try request.bearerToken()
        }
        guard let cookie = request.cookies[Self.accessCookie], !cookie.value.isEmpty else { throw APIError.notAuthenticated }
        try checkCSRF(request)
        return cookie.value
    }

    /// Where a refresh or logout found its refresh token.
    enum RefreshSource { case body, cookie }

    /// The refresh token of a refresh or logout: the body's, else (cookie mode) the cookie's,
    /// which needs the CSRF checks. Nil when there is none.
    func refreshToken(_ request: Request, body: TokenRequest) throws -> (token: String, source: RefreshSource)? {
        if let token = body.token { return (token, .body) }
        guard cookieMode, let cookie = request.cookies[Self.refreshCookie], !cookie.value.isEmpty else { return nil }
        try checkCSRF(request)
        return (cookie.value, .cookie)
    }

    /// The tokens the request's cookies carry (refresh first, it outlives the access token),
    /// or none outside cookie mode. Reading them proves nothing: callers check the session.
    func cookieTokens(_ request: Request) -> [String] {
        guard cookieMode else { return [] }
        return [Self.refreshCookie, Self.accessCookie].compactMap { name in
            request.cookies[name].map(\.value).flatMap { $0.isEmpty ? nil : $0 }
        }
    }

    /// Tokens a request offers to name the login session it comes from: its bearer token, and
    /// (cookie mode) its cookies — those only when the CSRF checks pass, as for any use of a cookie.
    /// Two `Authorization` headers are refused here as everywhere.
    func sessionTokens(_ request: Request) throws -> [String] {
        guard request.headers[values: .authorization].count <= 1 else { throw APIError.twoAuthorizationHeaders }
        var tokens: [String] = []
        if let bearer = try? request.bearerToken() { tokens.append(bearer) }
        if cookieMode, (try? checkCSRF(request)) != nil { tokens += cookieTokens(request) }
        return tokens
    }

    /// The checks an unsafe request that uses a cookie must pass, as Django's `CsrfViewMiddleware`:
    /// it comes from the API's own origin or a trusted one (its `Origin`, else its `Referer`;
    /// a client with neither is not a browser), and the `X-CSRFToken` header equals the cookie.
    func checkCSRF(_ request: Request) throws {
        guard request.method != .get, request.method != .head, request.method != .options else { return }
        if let origin = Self.requestOrigin(request) {
            guard isTrusted(origin: origin, request: request) else {
                throw Self.csrfFailed("CSRF Failed: Origin checking failed - \(Self.printable(origin)) does not match any trusted origins.")
            }
        }
        // Any of the request's `csrftoken` cookies may be the one the page read.
        guard let header = request.headers[Self.csrfHeader],
              Self.csrfCookies(request).contains(where: { Self.constantTimeEqual(header, $0) })
        else {
            throw Self.csrfFailed("CSRF Failed: CSRF token missing or incorrect.")
        }
    }

    private static func csrfFailed(_ detail: String) -> APIError {
        APIError.detail(.forbidden, detail, code: "csrf_failed")
    }

    /// The origin a browser says the request comes from: `Origin`, else the origin of `Referer`
    /// (`"null"` and unparsable values stay as they are, and are trusted by nobody).
    static func requestOrigin(_ request: Request) -> String? {
        if let origin = request.headers[.origin] { return origin }
        guard let referer = request.headers[.referer] else { return nil }
        guard let url = URLComponents(string: referer), let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased(),
              !host.isEmpty
        else { return referer }
        return "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
    }

    /// The API's own origin (its `Host`, over https when the cookies are `Secure`, since they
    /// then only travel over TLS; either scheme otherwise, for local set-ups) or a listed one.
    func isTrusted(origin: String, request: Request) -> Bool {
        if trustedOrigins.contains(origin) { return true }
        guard let host = request.head.authority else { return false }
        let schemes = secure ? ["https"] : ["https", "http"]
        return schemes.contains { origin.lowercased() == "\($0)://\(host.lowercased())" }
    }

    /// An attacker-controlled header value made safe to echo in an error message.
    private static func printable(_ text: String) -> String {
        String(text.prefix(200).unicodeScalars.filter { $0.isASCII && $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

extension TokenTransport {
    /// Whether the request's cookies (cookie mode) belong to what `matches` describes — the
    /// session or the user that an operation just logged out — so that ending one session never
    /// clears the cookies of another the browser holds.
    func cookiesBelong(to request: Request, _ authentication: Authentication,
                       where matches: (TokenClaims) -> Bool) async -> Bool {
        for token in cookieTokens(request) {
            if let claims = await authentication.claims(of: token), matches(claims) { return true }
        }
        return false
    }
}
