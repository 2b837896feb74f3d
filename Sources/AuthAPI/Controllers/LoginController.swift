import Hummingbird
import Shared

/// `/api/accounts`: the password step of a login and, with MFA on, its second step.
struct LoginController {
    let login: Login
    let multiFactor: MultiFactor
    let delivery: TokenDelivery

    var routes: RouteCollection<APIRequestContext> {
        let routes = RouteCollection(context: APIRequestContext.self)
        routes.post("login", use: passwordStep)
        routes.post("login/mfa", use: secondStep)
        return routes
    }

    /// Signed in, or with MFA on the token of the second step (no tokens, no cookies yet).
    @Sendable func passwordStep(_ request: Request, context: APIRequestContext) async throws -> Response {
        switch try await login.login(try await request.parsed(LoginRequest.init(json:)), client: request.client(context)) {
        case .signedIn(let result):
            return try delivery.response(result)
        case .secondFactorRequired(let token):
            return try MFAChallengeResponse(mfaToken: token).response()
        }
    }

    /// As the password step answers: the user with the tokens, in cookies too in cookie mode.
    @Sendable func secondStep(_ request: Request, context: APIRequestContext) async throws -> Response {
        try delivery.response(try await multiFactor.completeLogin(
            try await request.parsed(MFALoginRequest.init(json:)), client: request.client(context)))
    }
}
