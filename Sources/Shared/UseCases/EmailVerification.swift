import Foundation

/// Proving an address with a 6-digit code: asking for one (send-otp) and redeeming it.
public struct EmailVerification: Sendable {
    let store: any AuthStore
    let throttle: Throttle
    let codeMail: CodeMail
    let codes: CodeVerifier
    let authentication: Authentication
    let sessions: SessionOpener
    let tokens: TokenService
    let clock: any AuthClock

    /// Queues a verification code for an unverified active account (60 s cooldown per address);
    /// answers nothing about the address.
    public func sendCode(_ parsed: Result<EmailRequest, AuthError>, client: ClientInfo) async throws {
        try await codeMail.send(.verifyEmail, throttledAs: .sendOTP, parsed, client: client) { $0.isActive && !$0.isVerified }
    }

    /// Verifies the address with its code and answers with tokens. `continuing` are tokens the
    /// request carries (bearer, cookies): when one names a live session of this user — the one
    /// signup opened — that session is rotated and continued; otherwise a new one starts.
    public func verify(_ parsed: Result<VerifyEmailRequest, AuthError>, client: ClientInfo,
                       continuing: [String] = []) async throws -> AuthResult {
        try await throttle.hit(.verifyEmail, .ip(client.ip))
        let request = try parsed.get()
        let key = EmailAddress.key(request.email)
        try await throttle.hit(.verifyEmail, address: .email(key), client: client)
        guard let user = try await store.user(emailKey: key), let id = user.id, user.isActive else {
            throw AuthError.codeInvalid
        }
        let matches = codes.matcher(request.otp, purpose: .verifyEmail, emailKey: key)
        let now = clock.now()
        if let (sessionId, level) = await liveSession(of: id, among: continuing) {
            let newJti = sessions.newJti()
            let outcome = try await store.redeemCode(
                purpose: .verifyEmail, userId: id, emailKey: key, now: now, matches: matches,
                effect: .verifyEmailContinuing(sessionId: sessionId, newJti: newJti, newExpiry: now.addingTimeInterval(tokens.refreshTTL)))
            // Ended between the check and the redemption (which changed nothing): a new one starts below.
            if outcome != .sessionEnded {
                let verified = try await codes.settle(outcome, purpose: .verifyEmail, userId: id, client: client)
                return AuthResult(user: verified, tokens: try await tokens.issue(userId: id, sessionId: sessionId, refreshJti: newJti, level: level))
            }
        }
        // Opened by the e-mailed code alone, no password: `amr` says so.
        let session = sessions.open(userId: id, client: client, level: .emailCode)
        let outcome = try await store.redeemCode(
            purpose: .verifyEmail, userId: id, emailKey: key, now: now, matches: matches, effect: .verifyEmail(session: session))
        let verified = try await codes.settle(outcome, purpose: .verifyEmail, userId: id, client: client)
        return AuthResult(user: verified, tokens: try await tokens.issue(session))
    }

    /// The first of `candidates` that is a valid token of a live session of `userId`.
    func liveSession(of userId: Int64, among candidates: [String]) async -> (id: String, level: SessionLevel)? {
        for token in candidates {
            guard let claims = await authentication.claims(of: token), claims.userId == userId else { continue }
            if (try? await authentication.isLive(claims)) == true { return (claims.sid, claims.level) }
        }
        return nil
    }
}
