import Hummingbird
import Shared

/// `/api/accounts`: a logged-in user's new password or new address.
struct CredentialsController {
    let passwordChange: PasswordChange
    let emailChange: EmailChange
    let delivery: TokenDelivery

    static let emailChangeDetail = "A code has been sent to the new address."

    var routes: RouteCollection<AuthenticatedRequestContext> {
        let routes = RouteCollection(context: AuthenticatedRequestContext.self)
        routes.post("password/change", use: changePassword)
        routes.post("email/change", use: requestEmailChange)
        routes.post("email/change/confirm", use: confirmEmailChange)
        return routes
    }

    @Sendable func changePassword(_ request: Request, context: AuthenticatedRequestContext) async throws -> Response {
        try delivery.response(try await passwordChange.change(
            context.caller, try await request.parsed(PasswordChangeRequest.init(json:)), client: request.client(context.base)))
    }

    @Sendable func requestEmailChange(_ request: Request, context: AuthenticatedRequestContext) async throws -> Response {
        try await emailChange.request(
            context.caller, try await request.parsed(EmailChangeRequest.init(json:)), client: request.client(context.base))
        return try DetailResponse(detail: Self.emailChangeDetail).response(status: .accepted)
    }

    @Sendable func confirmEmailChange(_ request: Request, context: AuthenticatedRequestContext) async throws -> UserResponse {
        UserResponse(try await emailChange.confirm(
            context.caller, try await request.parsed(EmailChangeConfirmation.init(json:)), client: request.client(context.base)))
    }
}
