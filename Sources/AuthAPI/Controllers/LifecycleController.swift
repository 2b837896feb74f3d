import Hummingbird
import Shared

/// Password reset and change, and e-mail change (the contract's "Account lifecycle").
struct LifecycleController {
    let passwordReset: PasswordReset
    let passwordChange: PasswordChange
    let emailChange: EmailChange
    let transport: TokenTransport

    func addRoutes(to router: inout APIRouter) {
        let p = AccountsController.prefix
        router.on(p + "/password/reset", .post, requestReset)
        router.on(p + "/password/reset/confirm", .post, confirmReset)
        router.onAuthenticated(p + "/password/change", .post, changePassword)
        router.onAuthenticated(p + "/email/change", .post, requestEmailChange)
        router.onAuthenticated(p + "/email/change/confirm", .post, confirmEmailChange)
    }

    static let resetDetail = "If this address belongs to an active account, a password reset code is on its way."

    @Sendable func requestReset(_ request: Request, context: APIRequestContext) async throws -> Response {
        try await passwordReset.request(try await request.parsed(EmailRequest.init(json:)), client: request.client(context))
        return try JSONResponse.make(DetailResponse(detail: Self.resetDetail), status: .accepted)
    }

    @Sendable func confirmReset(_ request: Request, context: APIRequestContext) async throws -> Response {
        try await passwordReset.confirm(try await request.parsed(PasswordResetConfirmation.init(json:)), client: request.client(context))
        return try JSONResponse.make(DetailResponse(detail: "Password has been reset with the new password."))
    }

    @Sendable func changePassword(_ request: Request, context: AuthenticatedRequestContext) async throws -> Response {
        let pair = try await passwordChange.change(
            context.caller, try await request.parsed(PasswordChangeRequest.init(json:)), client: request.client(context.base))
        var response = try JSONResponse.make(TokenPairResponse(transport.tokensInBody ? pair : nil))
        transport.setCookies(pair, on: &response)
        return response
    }

    static let emailChangeDetail = "A code has been sent to the new address."

    @Sendable func requestEmailChange(_ request: Request, context: AuthenticatedRequestContext) async throws -> Response {
        try await emailChange.request(
            context.caller, try await request.parsed(EmailChangeRequest.init(json:)), client: request.client(context.base))
        return try JSONResponse.make(DetailResponse(detail: Self.emailChangeDetail), status: .accepted)
    }

    @Sendable func confirmEmailChange(_ request: Request, context: AuthenticatedRequestContext) async throws -> Response {
        let user = try await emailChange.confirm(
            context.caller, try await request.parsed(EmailChangeConfirmation.init(json:)), client: request.client(context.base))
        return try JSONResponse.make(UserResponse(user))
    }
}
