import Hummingbird
import Shared

/// `/api/accounts/mfa/`: the second factor's status, TOTP setup and confirmation, disable, new
/// recovery codes. The rules are `MultiFactor`'s; the login's second step is `LoginController`'s.
struct MFAController {
    let multiFactor: MultiFactor

    var routes: RouteCollection<AuthenticatedRequestContext> {
        let routes = RouteCollection(context: AuthenticatedRequestContext.self)
        routes.get("mfa", use: status)
        routes.post("mfa/totp/setup", use: setup)
        routes.post("mfa/totp/confirm", use: confirm)
        routes.post("mfa/totp/disable", use: disable)
        routes.post("mfa/recovery-codes", use: recoveryCodes)
        return routes
    }

    @Sendable func status(_ request: Request, context: AuthenticatedRequestContext) async throws -> MFAStatusResponse {
        let status = try await multiFactor.status(context.caller)
        return MFAStatusResponse(totp: status.totp, recoveryCodesLeft: status.recoveryCodesLeft)
    }

    @Sendable func setup(_ request: Request, context: AuthenticatedRequestContext) async throws -> TOTPSetupResponse {
        TOTPSetupResponse(try await multiFactor.setup(
            context.caller, try await request.parsed(PasswordRequest.init(json:)), client: request.client(context.base)))
    }

    @Sendable func confirm(_ request: Request, context: AuthenticatedRequestContext) async throws -> RecoveryCodesResponse {
        RecoveryCodesResponse(recoveryCodes: try await multiFactor.confirm(
            context.caller, try await request.parsed(MFACodeRequest.init(json:)), client: request.client(context.base)))
    }

    @Sendable func disable(_ request: Request, context: AuthenticatedRequestContext) async throws -> DetailResponse {
        try await multiFactor.disable(context.caller, try await request.parsed(MFACodeRequest.init(json:)), client: request.client(context.base))
        return DetailResponse(detail: "Two-step verification is off.")
    }

    @Sendable func recoveryCodes(_ request: Request, context: AuthenticatedRequestContext) async throws -> RecoveryCodesResponse {
        RecoveryCodesResponse(recoveryCodes: try await multiFactor.regenerateRecoveryCodes(context.caller, client: request.client(context.base)))
    }
}
