import Foundation

/// Multi-factor authentication with TOTP and recovery codes: setup (password re-checked),
/// confirmation by a first code, the login's second step, disable, new recovery codes, and the
/// step-up rule other use cases ask (`requireSecondFactor`). The rules are the store's.
public struct MultiFactor: Sendable {
    let context: AccountContext

    /// How long a login's `mfa_token` lives.
    public static let challengeLifetime: TimeInterval = 300
    public static let methods = ["totp", "recovery_code"]

    public init(context: AccountContext) {
        self.context = context
    }

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
        let (totp, left) = try await context.store.mfaStatus(userId: caller.userId)
        return Status(totp: totp, recoveryCodesLeft: left)
    }

    /// A new pending secret; refused when the password is wrong or MFA is already on.
    public func setup(_ caller: Authenticated, _ parsed: Result<PasswordRequest, AuthError>, client: ClientInfo) async throws -> Setup {
        try await context.throttle(.mfa, .ip(client.ip), .user(caller.userId))
        let password = try parsed.get().password
        guard await context.hasher.verify(password, against: caller.user.password) else {
            throw AuthError.field("password", "Incorrect password.")
        }
        let secret = context.random.bytes(TOTP.secretLength)
        let sealed = try context.mfaSecrets.seal(totpSecret: secret, userId: caller.userId)
        guard try await context.store.beginTOTPSetup(userId: caller.userId, sealedSecret: sealed, now: context.clock.now()) == .done else {
            throw AuthError.field("password", "Two-step verification is already on.")
        }
        await context.audit.record(.mfaSetupStarted, userId: caller.userId, client: client)
        return Setup(secret: Base32.encode(secret),
                     otpauthURL: TOTP.provisioningURL(secret: secret, issuer: context.mfaIssuer, account: caller.user.email))
    }

    /// The first code turns MFA on: the recovery codes, shown once; the calling session becomes
    /// second-factor verified, every other session ends, a notice mail is queued.
    public func confirm(_ caller: Authenticated, _ parsed: Result<MFACodeRequest, AuthError>, client: ClientInfo) async throws -> [String] {
        try await context.throttle(.mfa, .ip(client.ip), .user(caller.userId))
        let code = try parsed.get().code
        let codes = MFASecrets.newRecoveryCodes(context.random)
        let outcome: MFAOutcome
        do {
            outcome = try await context.store.confirmTOTP(
                userId: caller.userId, sessionId: caller.sessionId, code: totp(code),
                recoveryCodeHashes: codes.map(context.mfaSecrets.hash(recoveryCode:)),
                notice: context.mail(.mfaEnabledNotice, to: caller.user.email, of: caller.userId), now: context.clock.now())
        } catch StorageError.sessionEnded {
            throw AuthError.tokenNotValid
        }
        guard outcome == .done else {
            await context.audit.record(.mfaFailed, userId: caller.userId, client: client, detail: "confirm")
            throw AuthError.mfaInvalid
        }
        await context.unthrottle(.mfa, .ip(client.ip), .user(caller.userId))
        await context.audit.record(.mfaEnabled, userId: caller.userId, client: client, detail: "other sessions revoked")
        return codes
    }

    /// The password step of a login found MFA on: a short-lived, single-use token for the second.
    /// Counted per account (the `mfa` rate) and never given back: with five tries per token, this
    /// bounds the guesses at an account's codes, from however many addresses.
    func challenge(userId: Int64, client: ClientInfo) async throws -> String {
        try await context.throttle(.mfa, .user(userId))
        let token = context.random.token(byteCount: 32)
        let now = context.clock.now()
        try await context.store.createMFAChallenge(
            tokenHash: context.mfaSecrets.hash(challengeToken: token), userId: userId, now: now,
            expiresAt: now.addingTimeInterval(Self.challengeLifetime))
        await context.audit.record(.mfaChallenged, userId: userId, client: client)
        return token
    }

    /// The second step: a TOTP code (six digits) or a recovery code; the session it opens is
    /// second-factor verified.
    public func completeLogin(_ parsed: Result<MFALoginRequest, AuthError>, client: ClientInfo) async throws -> AuthResult {
        try await context.throttle(.mfa, .ip(client.ip))
        let request = try parsed.get()
        let (token, code) = (request.mfaToken, request.code)
        let tokenHash = context.mfaSecrets.hash(challengeToken: token)
        let draft = context.sessionDraft(client: client)
        let factor: SecondFactor = CodeHasher.isWellFormed(code)
            ? totp(code) : .recoveryCode(hash: context.mfaSecrets.hash(recoveryCode: code))
        let (outcome, opened) = try await context.store.completeMFALogin(tokenHash: tokenHash, code: factor, now: context.clock.now()) {
            draft.session(for: $0)
        }
        switch outcome {
        case .done:
            guard let session = opened, let user = try await context.store.user(id: session.userId) else { throw AuthError.tokenNotValid }
            await context.audit.record(.loginSucceeded, userId: session.userId, client: client, detail: factor.method)
            ServiceMetrics.login(.mfaSuccess)
            return AuthResult(user: user, tokens: try await context.issue(session))
        case .invalidChallenge:
            throw AuthError.tokenNotValid
        case .invalidCode, .wrongState:
            await context.audit.record(.mfaFailed, userId: nil, client: client, detail: "login")
            ServiceMetrics.login(.mfaInvalid)
            throw AuthError.mfaInvalid
        }
    }

    /// MFA off, with a code, from a second-factor-verified session; a notice mail is queued.
    public func disable(_ caller: Authenticated, _ parsed: Result<MFACodeRequest, AuthError>, client: ClientInfo) async throws {
        try Self.requireSecondFactor(caller)
        try await context.throttle(.mfa, .ip(client.ip), .user(caller.userId))
        let code = try parsed.get().code
        let factor: SecondFactor = CodeHasher.isWellFormed(code)
            ? totp(code) : .recoveryCode(hash: context.mfaSecrets.hash(recoveryCode: code))
        let outcome = try await context.store.disableTOTP(
            userId: caller.userId, code: factor, notice: context.mail(.mfaDisabledNotice, to: caller.user.email, of: caller.userId),
            now: context.clock.now())
        guard outcome == .done else {
            await context.audit.record(.mfaFailed, userId: caller.userId, client: client, detail: "disable")
            throw AuthError.mfaInvalid
        }
        await context.audit.record(.mfaDisabled, userId: caller.userId, client: client)
    }

    /// Ten new recovery codes; the old ones stop working.
    public func regenerateRecoveryCodes(_ caller: Authenticated, client: ClientInfo) async throws -> [String] {
        try Self.requireSecondFactor(caller)
        let codes = MFASecrets.newRecoveryCodes(context.random)
        guard try await context.store.regenerateRecoveryCodes(
            userId: caller.userId, hashes: codes.map(context.mfaSecrets.hash(recoveryCode:))) == .done
        else { throw AuthError.mfaRequired }
        await context.audit.record(.recoveryCodesRegenerated, userId: caller.userId, client: client)
        return codes
    }

    /// Step-up: with MFA on, the caller's session must have passed the second factor. The
    /// caller's user row says whether MFA is on (read with the session on every request).
    static func requireSecondFactor(_ caller: Authenticated) throws {
        if caller.user.mfaEnabled && caller.level.aal < 2 { throw AuthError.mfaRequired }
    }

    /// A TOTP code as the rules take it: the matching step within one step of now, computed
    /// from the user's unsealed secret (a wrong-shaped code matches nothing).
    func totp(_ code: String?) -> SecondFactor {
        guard let code, CodeHasher.isWellFormed(code) else { return .totp(step: { _, _ in nil }) }
        let secrets = context.mfaSecrets
        let now = context.clock.now()
        return .totp(step: { sealed, userId in
            guard let secret = secrets.open(totpSecret: sealed, userId: userId) else { return nil }
            return TOTP(secret: secret).matchingStep(code, at: now)
        })
    }
}
