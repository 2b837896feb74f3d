import Foundation

/// Multi-factor authentication with TOTP and recovery codes: setup (password re-checked),
/// confirmation by a first code, the login's second step, disable, new recovery codes. The
/// rules are the store's; what a typed code is, `SecondFactorReader`'s; who needs a second
/// factor for what, `StepUp`'s.
public struct MultiFactor: Sendable {
    let store: any AuthStore
    let passwords: Passwords
    let throttle: Throttle
    let stepUp: StepUp
    let secrets: MFASecrets
    let sessions: SessionOpener
    let tokens: TokenService
    let mailJobs: MailJobs
    let audit: AuditLog
    let clock: any AuthClock
    let random: any RandomSource
    /// The issuer authenticator apps show (`AUTH_JWT_ISSUER`, or the product's name).
    let issuer: String

    var reader: SecondFactorReader { SecondFactorReader(secrets: secrets, clock: clock) }

    public static let methods = ["totp", "recovery_code"]

    public struct Status: Sendable, Equatable {
        public var totp: Bool
        public var recoveryCodesLeft: Int
    }

    public struct Setup: Sendable, Equatable {
        /// Base32, as apps take it typed.
        public var secret: String
        public var otpauthURL: String
    }

    public func status(_ caller: Authenticated) async throws -> Status {
        let (totp, left) = try await store.mfaStatus(userId: caller.userId)
        return Status(totp: totp, recoveryCodesLeft: left)
    }

    /// A new pending secret; refused when the password is wrong or MFA is already on.
    public func setup(_ caller: Authenticated, _ parsed: Result<PasswordRequest, AuthError>, client: ClientInfo) async throws -> Setup {
        try await throttle.hit(.mfa, .ip(client.ip), .user(caller.userId))
        let password = try parsed.get().password
        guard await passwords.matches(password, of: caller.user) else {
            throw AuthError.field("password", "Incorrect password.")
        }
        let secret = random.bytes(TOTP.secretLength)
        let sealed = try secrets.seal(totpSecret: secret, userId: caller.userId)
        guard try await store.beginTOTPSetup(userId: caller.userId, sealedSecret: sealed, now: clock.now()) == .done else {
            throw AuthError.field("password", "Two-step verification is already on.")
        }
        await audit.record(.mfaSetupStarted, userId: caller.userId, client: client)
        return Setup(secret: Base32.encode(secret), otpauthURL: TOTP.provisioningURL(secret: secret, issuer: issuer, account: caller.user.email))
    }

    /// The first code turns MFA on: the recovery codes, shown once; the calling session becomes
    /// second-factor verified, every other session ends, a notice mail is queued.
    public func confirm(_ caller: Authenticated, _ parsed: Result<MFACodeRequest, AuthError>, client: ClientInfo) async throws -> [String] {
        try await throttle.hit(.mfa, .ip(client.ip), .user(caller.userId))
        let code = try parsed.get().code
        let codes = MFASecrets.newRecoveryCodes(random)
        let outcome = try await store.confirmTOTP(
            userId: caller.userId, sessionId: caller.sessionId, code: reader.totp(code),
            recoveryCodeHashes: codes.map(secrets.hash(recoveryCode:)),
            notice: mailJobs.make(.mfaEnabledNotice, to: caller.user.email, of: caller.userId), now: clock.now())
        switch outcome {
        case .done: break
        case .sessionEnded: throw AuthError.tokenNotValid
        case .invalidCode, .wrongState, .invalidChallenge:
            await audit.record(.mfaFailed, userId: caller.userId, client: client, detail: "confirm")
            throw AuthError.mfaInvalid
        }
        await throttle.giveBack(.mfa, .ip(client.ip), .user(caller.userId))
        await audit.record(.mfaEnabled, userId: caller.userId, client: client, detail: "other sessions revoked")
        return codes
    }

    /// The second step of a login: a TOTP code (six digits) or a recovery code; the session it
    /// opens is second-factor verified.
    public func completeLogin(_ parsed: Result<MFALoginRequest, AuthError>, client: ClientInfo) async throws -> AuthResult {
        try await throttle.hit(.mfa, .ip(client.ip))
        let request = try parsed.get()
        // Ours are 43 characters: anything much longer is no token of ours, and is not hashed.
        guard request.mfaToken.utf8.count <= MFAChallenges.maxTokenLength else { throw AuthError.tokenNotValid }
        let draft = sessions.draft(client: client)
        let factor = reader.factor(request.code)
        let (outcome, opened) = try await store.completeMFALogin(
            tokenHash: secrets.hash(challengeToken: request.mfaToken), code: factor, now: clock.now()) { draft.session(for: $0) }
        switch outcome {
        case .done:
            guard let session = opened, let user = try await store.user(id: session.userId) else { throw AuthError.tokenNotValid }
            await audit.record(.loginSucceeded, userId: session.userId, client: client, detail: factor.method)
            ServiceMetrics.login(.mfaSuccess)
            return AuthResult(user: user, tokens: try await tokens.issue(session))
        case .invalidChallenge, .sessionEnded:
            throw AuthError.tokenNotValid
        case .invalidCode, .wrongState:
            await audit.record(.mfaFailed, userId: nil, client: client, detail: "login")
            ServiceMetrics.login(.mfaInvalid)
            throw AuthError.mfaInvalid
        }
    }

    /// MFA off, with a code, from a second-factor-verified session; a notice mail is queued.
    public func disable(_ caller: Authenticated, _ parsed: Result<MFACodeRequest, AuthError>, client: ClientInfo) async throws {
        try stepUp.require(caller)
        try await throttle.hit(.mfa, .ip(client.ip), .user(caller.userId))
        let factor = reader.factor(try parsed.get().code)
        let outcome = try await store.disableTOTP(
            userId: caller.userId, code: factor, notice: mailJobs.make(.mfaDisabledNotice, to: caller.user.email, of: caller.userId),
            now: clock.now())
        guard outcome == .done else {
            await audit.record(.mfaFailed, userId: caller.userId, client: client, detail: "disable")
            throw AuthError.mfaInvalid
        }
        await audit.record(.mfaDisabled, userId: caller.userId, client: client)
    }

    /// Ten new recovery codes; the old ones stop working.
    public func regenerateRecoveryCodes(_ caller: Authenticated, client: ClientInfo) async throws -> [String] {
        try stepUp.require(caller)
        let codes = MFASecrets.newRecoveryCodes(random)
        guard try await store.regenerateRecoveryCodes(userId: caller.userId, hashes: codes.map(secrets.hash(recoveryCode:))) == .done
        else { throw AuthError.mfaRequired }
        await audit.record(.recoveryCodesRegenerated, userId: caller.userId, client: client)
        return codes
    }
}
