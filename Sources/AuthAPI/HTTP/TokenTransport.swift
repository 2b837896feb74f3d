import Foundation
import HTTPTypes
import Hummingbird
import Shared

/// Where tokens travel: JSON bodies and the `Authorization` header always (unless cookie-only),
/// and, in cookie mode, HttpOnly cookies with a double-submit CSRF token, as the contract's
/// "Cookie transport" section says.
struct TokenTransport: Sendable {
    let cookieMode: Bool
    let cookieOnly: Bool
    let secure: Bool
    let accessTTL: Int
    let refreshTTL: Int
    let random: any RandomSource

    static let accessCookie = "access_token"
    static let refreshCookie = "refresh_token"
    static let csrfCookie = "csrftoken"
    static let csrfHeader = HTTPField.Name("X-CSRFToken")!
    static let refreshPath = "/api/accounts/"

    init(configuration: APIConfiguration, random: any RandomSource) {
        cookieMode = configuration.cookieMode
        cookieOnly = configuration.cookieOnly
        secure = configuration.cookieSecure
        accessTTL = Int(configuration.common.accessTTL)
        refreshTTL = Int(configuration.common.refreshTTL)
        self.random = random
    }

    /// Whether JSON bodies carry the tokens.
    var tokensInBody: Bool { !cookieOnly }

    /// Sets the three cookies on a response that returns tokens (cookie mode only).
    func setCookies(_ tokens: TokenPair, on response: inout Response) {
        guard cookieMode else { return }
        response.setCookie(cookie(Self.accessCookie, tokens.access, maxAge: accessTTL, path: "/", httpOnly: true))
        response.setCookie(cookie(Self.refreshCookie, tokens.refresh, maxAge: refreshTTL, path: Self.refreshPath, httpOnly: true))
        response.setCookie(cookie(Self.csrfCookie, random.token(byteCount: 24), maxAge: refreshTTL, path: "/", httpOnly: false))
    }

    /// Expires the three cookies (logout, logout-all, deleting the current session).
    func clearCookies(on response: inout Response) {
        guard cookieMode else { return }
        response.setCookie(cookie(Self.accessCookie, "", maxAge: 0, path: "/", httpOnly: true))
        response.setCookie(cookie(Self.refreshCookie, "", maxAge: 0, path: Self.refreshPath, httpOnly: true))
        response.setCookie(cookie(Self.csrfCookie, "", maxAge: 0, path: "/", httpOnly: false))
    }

    private func cookie(_ name: String, _ value: String, maxAge: Int, path: String, httpOnly: Bool) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: path, secure: secure, httpOnly: httpOnly, sameSite: .lax)
    }

    /// The access token of a request: the `Authorization` header, else (cookie mode) the access
    /// cookie — which, on an unsafe method, requires the CSRF header to match the CSRF cookie.
    func accessToken(_ request: Request) throws -> String {
        if !request.headers[values: .authorization].isEmpty || !cookieMode {
            return try request.bearerToken()
        }
        guard let cookie = request.cookies[Self.accessCookie], !cookie.value.isEmpty else { throw APIError.notAuthenticated }
        try checkCSRF(request)
        return cookie.value
    }

    /// The refresh token of a refresh or logout: the body's, else (cookie mode) the cookie's,
    /// which needs the CSRF header. Nil when there is none.
    func refreshToken(_ request: Request, body: TokenRequest) throws -> String? {
        if let token = body.token { return token }
        guard cookieMode, let cookie = request.cookies[Self.refreshCookie], !cookie.value.isEmpty else { return nil }
        try checkCSRF(request)
        return cookie.value
    }

    /// Double-submit check: the `X-CSRFToken` header must equal the `csrftoken` cookie.
    func checkCSRF(_ request: Request) throws {
        guard request.method != .get, request.method != .head, request.method != .options else { return }
        guard let header = request.headers[Self.csrfHeader], let cookie = request.cookies[Self.csrfCookie]?.value,
              !cookie.isEmpty, Self.constantTimeEqual(header, cookie)
        else {
            throw APIError.detail(.forbidden, "CSRF Failed: CSRF token missing or incorrect.", code: "csrf_failed")
        }
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
