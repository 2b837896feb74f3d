import Foundation

/// Logging in with a password: a login session and its tokens or, with MFA on, the token of
/// the second step.
public struct Login: Sendable {
    let store: any AuthStore
    let password: PasswordSignIn
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

    /// The password step (`PasswordSignIn`: throttled, failures alike and audited), then a
    /// session and its tokens, or the second step's token.
    public func login(_ parsed: Result<LoginRequest, AuthError>, client: ClientInfo) async throws -> Outcome {
        try await password.admit(client)
        let request = try parsed.get()
        let (user, upgrade) = try await password.verify(email: request.email, password: request.password, client: client)
        guard let userId = user.id else { throw AuthError.invalidCredentials }
        // No session and no tokens before the second factor.
        if user.mfaEnabled {
            ServiceMetrics.login(.mfaRequired)
            return .secondFactorRequired(mfaToken: try await challenges.issue(userId: userId, client: client))
        }
        let session = sessions.open(userId: userId, client: client)
        try await store.recordLogin(userId: userId, session: session, upgrade: upgrade, now: clock.now())
        await audit.record(.loginSucceeded, userId: userId, client: client)
        ServiceMetrics.login(.success)
        return .signedIn(AuthResult(user: user, tokens: try await tokens.issue(session)))
    }
}
