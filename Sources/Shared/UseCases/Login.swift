import Foundation

/// Logging in with a password: a login session and its tokens or, with MFA on, the token of
/// the second step.
public struct Login: Sendable {
    let store: any AuthStore
    let passwords: Passwords
    let throttle: Throttle
    let sessions: SessionOpener
    let tokens: TokenService
    let challenges: MFAChallenges
    let audit: AuditLog
    let clock: any AuthClock

    /// A login's answer: signed in, or (MFA on) the token for the second step.
    public enum Outcome: Sendable {
        case signedIn(AuthResult)
        case secondFactorRequired(mfaToken: String)
    }

    /// Every attempt takes a failure slot first, per IP before the body is even read, then per
    /// address; a successful login gives both back: only failed logins count, and a parallel
    /// burst cannot pass the limit. Unknown address, wrong password and inactive account answer
    /// alike, after the same work.
    public func login(_ parsed: Result<LoginRequest, AuthError>, client: ClientInfo) async throws -> Outcome {
        try await throttle.hit(.login, .ip(client.ip))
        let request = try parsed.get()
        let key = EmailAddress.key(request.email)
        try await throttle.hit(.login, address: .email(key), client: client)
        let user = try await store.user(emailKey: key)
        let passwordMatches = await passwords.matches(request.password, of: user)
        guard let user, passwordMatches, user.isActive, let userId = user.id else {
            let reason = user == nil ? "unknown_address" : passwordMatches ? "inactive" : "wrong_password"
            await audit.record(.loginFailed, userId: user?.id, client: client, detail: reason)
            ServiceMetrics.login(.invalidCredentials)
            throw AuthError.invalidCredentials
        }
        await throttle.giveBack(.login, .ip(client.ip), .email(key))
        guard user.isVerified else {
            ServiceMetrics.login(.emailNotVerified)
            throw AuthError.emailNotVerified
        }
        // No session and no tokens before the second factor.
        if user.mfaEnabled {
            ServiceMetrics.login(.mfaRequired)
            return .secondFactorRequired(mfaToken: try await challenges.issue(userId: userId, client: client))
        }
        let session = sessions.open(userId: userId, client: client)
        try await store.recordLogin(
            userId: userId, session: session, upgrade: try await passwords.upgrade(request.password, of: user), now: clock.now())
        await audit.record(.loginSucceeded, userId: userId, client: client)
        ServiceMetrics.login(.success)
        return .signedIn(AuthResult(user: user, tokens: try await tokens.issue(session)))
    }
}
