import Hummingbird
import Shared

/// How an answer that hands out or ends tokens reaches the client: the tokens in the JSON body
/// (unless cookie-only) and in cookies (cookie mode); the cookies expired by a logout only when
/// they belong to what was logged out, so ending one session never clears another's cookies.
struct TokenDelivery: Sendable {
    let cookies: TokenCookies
    let authentication: Authentication

    /// User fields with the tokens: signup, login, the second step, verify-email.
    func response(_ result: AuthResult, status: HTTPResponse.Status = .ok) throws -> Response {
        var response = try AuthResponse(result, includeTokens: cookies.settings.tokensInBody).response(status: status)
        cookies.set(result.tokens, on: &response)
        return response
    }

    /// `{"access", "refresh"}` (`{}` when cookie-only): refresh, password change.
    func response(_ pair: TokenPair) throws -> Response {
        var response = try TokenPairResponse(cookies.settings.tokensInBody ? pair : nil).response()
        cookies.set(pair, on: &response)
        return response
    }

    /// Expires the cookies when one of the request's own (`carried`) has claims that `matches`
    /// — the session or the user just logged out.
    func clearCookies(on response: inout Response, carried: CookieCredentials, ifTheyBelongTo matches: (TokenClaims) -> Bool) async {
        for token in carried.tokens {
            if let claims = await authentication.claims(of: token), matches(claims) {
                cookies.clear(on: &response)
                return
            }
        }
    }
}
