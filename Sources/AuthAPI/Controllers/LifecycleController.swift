import Hummingbird
import Shared

/// Password reset and change, and e-mail change (the contract's "Account lifecycle").
struct LifecycleController {
    let accounts: AccountService
    let transport: TokenTransport

    func addRoutes(to router: inout APIRouter) {
        let p = AccountsController.prefix
        router.on(p + "/password/reset", .post, requestReset)
        router.on(p + "/password/reset/confirm", .post, confirmReset)
        router.on(p + "/password/change", .post, changePassword)
        router.on(p + "/email/change", .post, requestEmailChange)
        router.on(p + "/email/change/confirm", .post, confirmEmailChange)
    }

    static let resetDetail = "If this address belongs to an active account, a password reset code is on its way."

    @Sendable func requestReset(_ request: Request, context: APIRequestContext) async throws -> Response {
        try await accounts.requestPasswordReset(try await request.jsonObject(), client: request.client(context))
        return try JSONResponse.make(DetailResponse(detail: Self.resetDetail), status: .accepted)
    }

    @Sendable func confirmReset(_ request: Request, context: APIRequestContext) async throws -> Response {
        try await accounts.confirmPasswordReset(try await request.jsonObject(), client: request.client(context))
        return try JSONResponse.make(DetailResponse(detail: "Password has been reset with the new password."))
    }

    @Sendable func changePassword(_ request: Request, context: APIRequestContext) async throws -> Response {
        let caller = try await accounts.authenticate(accessToken: try transport.accessToken(request))
        let pair = try await accounts.changePassword(caller, try await request.jsonObject(), client: request.client(context))
        var response = try JSONResponse.make(TokenPairResponse(transport.tokensInBody ? pair : nil))
        transport.setCookies(pair, on: &response)
        return response
    }

    static let emailChangeDetail = "A code has been sent to the new address."

    @Sendable func requestEmailChange(_ request: Request, context: APIRequestContext) async throws -> Response {
        let caller = try await accounts.authenticate(accessToken: try transport.accessToken(request))
        try await accounts.requestEmailChange(caller, try await request.jsonObject(), client: request.client(context))
        return try JSONResponse.make(DetailResponse(detail: Self.emailChangeDetail), status: .accepted)
    }

    @Sendable func confirmEmailChange(_ request: Request, context: APIRequestContext) async throws -> Response {
        let caller = try await accounts.authenticate(accessToken: try transport.accessToken(request))
        let user = try await accounts.confirmEmailChange(caller, try await request.jsonObject(), client: request.client(context))
        return try JSONResponse.make(UserResponse(user))
    }
}
