import Hummingbird
import Shared

/// `/api/accounts`: signing up, and proving the address with its 6-digit code.
struct RegistrationController {
    let registration: Registration
    let verification: EmailVerification
    let delivery: TokenDelivery

    static let sendOTPDetail = "If this address belongs to an account awaiting verification, a code is on its way."

    var routes: RouteCollection<APIRequestContext> {
        let routes = RouteCollection(context: APIRequestContext.self)
        routes.post("signup", use: signup)
        routes.post("send-otp", use: sendOTP)
        routes.post("verify-email", use: verifyEmail)
        return routes
    }

    @Sendable func signup(_ request: Request, context: APIRequestContext) async throws -> Response {
        let result = try await registration.signup(try await request.parsed(SignupRequest.init(json:)), client: request.client(context))
        return try delivery.response(result, status: .created)
    }

    @Sendable func sendOTP(_ request: Request, context: APIRequestContext) async throws -> Response {
        try await verification.sendCode(try await request.parsed(EmailRequest.init(json:)), client: request.client(context))
        return try DetailResponse(detail: Self.sendOTPDetail).response(status: .accepted)
    }

    /// Verification continues the caller's login session when the request names a live one of
    /// the same user (the session signup opened), instead of opening a second one.
    @Sendable func verifyEmail(_ request: Request, context: APIRequestContext) async throws -> Response {
        try delivery.response(try await verification.verify(
            try await request.parsed(VerifyEmailRequest.init(json:)), client: request.client(context),
            continuing: try request.sessionTokens(context.cookies)))
    }
}
