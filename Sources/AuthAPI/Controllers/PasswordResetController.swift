import Hummingbird
import Shared

/// `/api/accounts`: a forgotten password, reset with a mailed code.
struct PasswordResetController {
    let passwordReset: PasswordReset

    static let resetDetail = "If this address belongs to an active account, a password reset code is on its way."

    var routes: RouteCollection<APIRequestContext> {
        let routes = RouteCollection(context: APIRequestContext.self)
        routes.post("password/reset", use: requestReset)
        routes.post("password/reset/confirm", use: confirmReset)
        return routes
    }

    @Sendable func requestReset(_ request: Request, context: APIRequestContext) async throws -> Response {
        try await passwordReset.request(try await request.parsed(EmailRequest.init(json:)), client: request.client(context))
        return try DetailResponse(detail: Self.resetDetail).response(status: .accepted)
    }

    @Sendable func confirmReset(_ request: Request, context: APIRequestContext) async throws -> DetailResponse {
        try await passwordReset.confirm(try await request.parsed(PasswordResetConfirmation.init(json:)), client: request.client(context))
        return DetailResponse(detail: "Password has been reset with the new password.")
    }
}
