import Hummingbird
import Shared

/// The second factor's endpoints: status, TOTP setup and confirmation, the login's second
/// step, disable, new recovery codes. The rules are `MultiFactor`'s.
struct MFAController {
    let multiFactor: MultiFactor
    let accounts: AccountsController

    func addRoutes(to router: inout APIRouter) {
        let p = AccountsController.prefix
        router.onAuthenticated(p + "/mfa", .get, status)
        router.onAuthenticated(p + "/mfa/totp/setup", .post, setup)
        router.onAuthenticated(p + "/mfa/totp/confirm", .post, confirm)
        router.onAuthenticated(p + "/mfa/totp/disable", .post, disable)
        router.onAuthenticated(p + "/mfa/recovery-codes", .post, recoveryCodes)
        router.on(p + "/login/mfa", .post, login)
    }

    struct Status: Encodable {
        let totp: Bool
        let recoveryCodesLeft: Int
        enum CodingKeys: String, CodingKey {
            case totp
            case recoveryCodesLeft = "recovery_codes_left"
        }
    }

    struct Setup: Encodable {
        let secret: String
        let otpauthURL: String
        enum CodingKeys: String, CodingKey {
            case secret
            case otpauthURL = "otpauth_url"
        }
    }

    struct RecoveryCodes: Encodable {
        let recoveryCodes: [String]
        enum CodingKeys: String, CodingKey { case recoveryCodes = "recovery_codes" }
    }

    @Sendable func status(_ request: Request, context: AuthenticatedRequestContext) async throws -> Response {
        let status = try await multiFactor.status(context.caller)
        return try JSONResponse.make(Status(totp: status.totp, recoveryCodesLeft: status.recoveryCodesLeft))
    }

    @Sendable func setup(_ request: Request, context: AuthenticatedRequestContext) async throws -> Response {
        let setup = try await multiFactor.setup(
            context.caller, try await request.parsed(PasswordRequest.init(json:)), client: request.client(context.base))
        return try JSONResponse.make(Setup(secret: setup.secret, otpauthURL: setup.otpauthURL))
    }

    @Sendable func confirm(_ request: Request, context: AuthenticatedRequestContext) async throws -> Response {
        let codes = try await multiFactor.confirm(
            context.caller, try await request.parsed(MFACodeRequest.init(json:)), client: request.client(context.base))
        return try JSONResponse.make(RecoveryCodes(recoveryCodes: codes))
    }

    @Sendable func disable(_ request: Request, context: AuthenticatedRequestContext) async throws -> Response {
        try await multiFactor.disable(
            context.caller, try await request.parsed(MFACodeRequest.init(json:)), client: request.client(context.base))
        return try JSONResponse.make(DetailResponse(detail: "Two-step verification is off."))
    }

    @Sendable func recoveryCodes(_ request: Request, context: AuthenticatedRequestContext) async throws -> Response {
        let codes = try await multiFactor.regenerateRecoveryCodes(context.caller, client: request.client(context.base))
        return try JSONResponse.make(RecoveryCodes(recoveryCodes: codes))
    }

    /// As login answers: the user with the tokens, in cookies too in cookie mode.
    @Sendable func login(_ request: Request, context: APIRequestContext) async throws -> Response {
        try accounts.authResponse(try await multiFactor.completeLogin(
            try await request.parsed(MFALoginRequest.init(json:)), client: request.client(context)))
    }
}

/// The password step's answer when MFA is on.
struct MFAChallengeResponse: Encodable {
    let mfaToken: String

    enum CodingKeys: String, CodingKey {
        case mfaRequired = "mfa_required"
        case mfaToken = "mfa_token"
        case methods
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(true, forKey: .mfaRequired)
        try container.encode(mfaToken, forKey: .mfaToken)
        try container.encode(MultiFactor.methods, forKey: .methods)
    }
}
