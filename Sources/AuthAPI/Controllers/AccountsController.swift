import Hummingbird
import Shared

/// The `/api/accounts` endpoints of the core contract: HTTP in and out, the rules in the use cases.
struct AccountsController {
    let registration: Registration
    let verification: EmailVerification
    let authentication: Authentication
    let profile: Profile
    let transport: TokenTransport
    static let prefix = "/api/accounts"

    func addRoutes(to router: inout APIRouter) {
        let p = Self.prefix
        router.on(p + "/signup", .post, signup)
        router.on(p + "/login", .post, login)
        router.onAuthenticated(p + "/me", .get, me)
        router.onAuthenticated(p + "/me", .patch, updateMe)
        router.on(p + "/token/refresh", .post, refresh)
        router.on(p + "/token/verify", .post, verify)
        router.on(p + "/logout", .post, logout)
        router.on(p + "/send-otp", .post, sendOTP)
        router.on(p + "/verify-email", .post, verifyEmail)
        router.on(p + "/csrf", .get, csrf)
    }

    /// User fields with the tokens (in the body unless cookie-only, in cookies in cookie mode).
    func authResponse(_ result: AuthResult, status: HTTPResponse.Status = .ok) throws -> Response {
        var response = try JSONResponse.make(AuthResponse(result, includeTokens: transport.tokensInBody), status: status)
        transport.setCookies(result.tokens, on: &response)
        return response
    }

    @Sendable func signup(_ request: Request, context: APIRequestContext) async throws -> Response {
        let result = try await registration.signup(try await request.parsed(SignupRequest.init(json:)), client: request.client(context))
        return try authResponse(result, status: .created)
    }

    /// Signed in, or with MFA on the token of the second step (no tokens, no cookies yet).
    @Sendable func login(_ request: Request, context: APIRequestContext) async throws -> Response {
        switch try await registration.login(try await request.parsed(LoginRequest.init(json:)), client: request.client(context)) {
        case .signedIn(let result):
            return try authResponse(result)
        case .secondFactorRequired(let token):
            return try JSONResponse.make(MFAChallengeResponse(mfaToken: token))
        }
    }

    @Sendable func me(_ request: Request, context: AuthenticatedRequestContext) async throws -> Response {
        try JSONResponse.make(UserResponse(context.caller.user))
    }

    @Sendable func updateMe(_ request: Request, context: AuthenticatedRequestContext) async throws -> Response {
        let update = try ProfileUpdate(json: try await request.jsonObject())
        return try JSONResponse.make(UserResponse(try await profile.update(context.caller, update)))
    }

    /// The refresh token from the body or, in cookie mode, the cookie; 400 when neither has one.
    private func refreshToken(_ request: Request) async throws -> (token: String, source: TokenTransport.RefreshSource) {
        let body = try TokenRequest(json: try await request.jsonObject(), field: "refresh", required: !transport.cookieMode)
        guard let found = try transport.refreshToken(request, body: body) else {
            throw AuthError.field("refresh", "This field is required.")
        }
        return found
    }

    @Sendable func refresh(_ request: Request, context: APIRequestContext) async throws -> Response {
        let pair = try await authentication.refresh(try await refreshToken(request).token, client: request.client(context))
        var response = try JSONResponse.make(TokenPairResponse(transport.tokensInBody ? pair : nil))
        transport.setCookies(pair, on: &response)
        return response
    }

    @Sendable func verify(_ request: Request, context: APIRequestContext) async throws -> Response {
        let body = try TokenRequest(json: try await request.jsonObject(), field: "token")
        try await authentication.verify(body.token ?? "")
        return try JSONResponse.make(EmptyResponse())
    }

    /// Ends the session of the presented refresh token. The cookies are cleared only when they
    /// belong to that session: a body token of session X must not log the browser out of Y.
    @Sendable func logout(_ request: Request, context: APIRequestContext) async throws -> Response {
        let (token, source) = try await refreshToken(request)
        let ended = try await authentication.logout(token, client: request.client(context))
        var response = JSONResponse.resetContent()
        if source == .cookie {
            transport.clearCookies(on: &response)
        } else if await transport.cookiesBelong(to: request, authentication) { $0.sid == ended } {
            transport.clearCookies(on: &response)
        }
        return response
    }

    static let sendOTPDetail = "If this address belongs to an account awaiting verification, a code is on its way."

    @Sendable func sendOTP(_ request: Request, context: APIRequestContext) async throws -> Response {
        try await verification.sendCode(try await request.parsed(EmailRequest.init(json:)), client: request.client(context))
        return try JSONResponse.make(DetailResponse(detail: Self.sendOTPDetail), status: .accepted)
    }

    /// Verification continues the caller's login session when the request names a live one of
    /// the same user (the session signup opened), instead of opening a second one.
    @Sendable func verifyEmail(_ request: Request, context: APIRequestContext) async throws -> Response {
        try authResponse(try await verification.verify(
            try await request.parsed(VerifyEmailRequest.init(json:)), client: request.client(context),
            continuing: try transport.sessionTokens(request)))
    }

    /// The CSRF token for scripts that cannot read the cookie (a page on a sibling sub-domain
    /// without `AUTH_CSRF_COOKIE_DOMAIN`, or one that prefers not to): in the body and the
    /// `X-CSRFToken` header; in cookie mode the cookie is (re)set with it.
    @Sendable func csrf(_ request: Request, context: APIRequestContext) async throws -> Response {
        let token = transport.csrfToken(for: request)
        var response = try JSONResponse.make(CSRFResponse(csrftoken: token))
        if transport.cookieMode {
            transport.setCSRF(token, on: &response)
        } else {
            response.headers[TokenTransport.csrfHeader] = token
        }
        return response
    }
}
