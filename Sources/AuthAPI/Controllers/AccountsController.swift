import Hummingbird
import Shared

/// The `/api/accounts` endpoints of the contract: HTTP in and out, the logic in `AccountService`.
struct AccountsController {
    let accounts: AccountService
    static let prefix = "/api/accounts"

    func addRoutes(to router: inout APIRouter) {
        let p = Self.prefix
        router.on(p + "/signup", .post, signup)
        router.on(p + "/login", .post, login)
        router.on(p + "/me", .get, me)
        router.on(p + "/me", .patch, updateMe)
        router.on(p + "/token/refresh", .post, refresh)
        router.on(p + "/token/verify", .post, verify)
        router.on(p + "/logout", .post, logout)
        router.on(p + "/send-otp", .post, sendOTP)
        router.on(p + "/verify-email", .post, verifyEmail)
    }

    @Sendable func signup(_ request: Request, context: APIRequestContext) async throws -> Response {
        let result = try await accounts.signup(try await request.jsonObject(), client: request.client(context))
        return try JSONResponse.make(AuthResponse(result), status: .created)
    }

    @Sendable func login(_ request: Request, context: APIRequestContext) async throws -> Response {
        let result = try await accounts.login(try await request.jsonObject(), client: request.client(context))
        return try JSONResponse.make(AuthResponse(result))
    }

    @Sendable func me(_ request: Request, context: APIRequestContext) async throws -> Response {
        let user = try await accounts.authenticate(accessToken: try request.bearerToken())
        return try JSONResponse.make(UserResponse(user))
    }

    @Sendable func updateMe(_ request: Request, context: APIRequestContext) async throws -> Response {
        let user = try await accounts.authenticate(accessToken: try request.bearerToken())
        let updated = try await accounts.updateProfile(user: user, try await request.jsonObject())
        return try JSONResponse.make(UserResponse(updated))
    }

    @Sendable func refresh(_ request: Request, context: APIRequestContext) async throws -> Response {
        let body = try TokenRequest(try await request.jsonObject(), field: "refresh")
        let pair = try await accounts.refresh(body.token ?? "")
        return try JSONResponse.make(TokenPairResponse(access: pair.access, refresh: pair.refresh))
    }

    @Sendable func verify(_ request: Request, context: APIRequestContext) async throws -> Response {
        let body = try TokenRequest(try await request.jsonObject(), field: "token")
        try await accounts.verifyToken(body.token ?? "")
        return try JSONResponse.make(EmptyResponse())
    }

    @Sendable func logout(_ request: Request, context: APIRequestContext) async throws -> Response {
        let body = try TokenRequest(try await request.jsonObject(), field: "refresh")
        try await accounts.logout(body.token ?? "")
        return JSONResponse.resetContent()
    }

    static let sendOTPDetail = "If this address belongs to an account awaiting verification, a code is on its way."

    @Sendable func sendOTP(_ request: Request, context: APIRequestContext) async throws -> Response {
        try await accounts.sendOTP(try await request.jsonObject(), client: request.client(context))
        return try JSONResponse.make(DetailResponse(detail: Self.sendOTPDetail), status: .accepted)
    }

    @Sendable func verifyEmail(_ request: Request, context: APIRequestContext) async throws -> Response {
        let result = try await accounts.verifyEmail(try await request.jsonObject(), client: request.client(context))
        return try JSONResponse.make(AuthResponse(result))
    }
}
