import Hummingbird

/// The token cookies a request carries (cookie mode), and whether it may use them: an unsafe
/// request must pass the CSRF checks first. Read once per request by
/// `CookieCredentialsMiddleware`; the authenticator and the refresh and logout handlers take
/// their cookie from here, so the CSRF rule is applied wherever a cookie is used and nowhere else.
struct CookieCredentials: Sendable {
    let access: String?
    let refresh: String?
    /// Why this request may not use its cookies (the CSRF checks failed); nil when it may.
    let refusal: APIError?

    /// No cookies: outside cookie mode, or none sent.
    static let none = CookieCredentials(access: nil, refresh: nil, refusal: nil)

    init(access: String?, refresh: String?, refusal: APIError?) {
        self.access = access
        self.refresh = refresh
        self.refusal = refusal
    }

    init(of request: Request, policy: CSRFPolicy) {
        func value(_ name: String) -> String? {
            request.cookies[name].map(\.value).flatMap { $0.isEmpty ? nil : $0 }
        }
        let access = value(TokenCookies.accessCookie), refresh = value(TokenCookies.refreshCookie)
        self.init(access: access, refresh: refresh,
                  refusal: access == nil && refresh == nil ? nil : policy.refusal(of: request))
    }

    /// The access cookie, for authentication; throws the CSRF refusal when it may not be used.
    func accessToken() throws -> String? {
        try usable(access)
    }

    /// The refresh cookie, for refresh and logout; throws the CSRF refusal when it may not be used.
    func refreshToken() throws -> String? {
        try usable(refresh)
    }

    private func usable(_ cookie: String?) throws -> String? {
        guard let cookie else { return nil }
        if let refusal { throw refusal }
        return cookie
    }

    /// The cookies that may name the session a request comes from: both, when the CSRF checks
    /// pass (refresh first, it outlives the access token), else none.
    var usableTokens: [String] {
        refusal == nil ? [refresh, access].compactMap { $0 } : []
    }

    /// Both cookies, whether usable or not: reading them proves nothing, callers check the
    /// session (to tell whether an ended session's cookies are the browser's own).
    var tokens: [String] {
        [refresh, access].compactMap { $0 }
    }
}
