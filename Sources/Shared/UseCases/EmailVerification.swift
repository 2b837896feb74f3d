import Foundation

/// Proving an address with a 6-digit code: asking for one (send-otp) and redeeming it.
public struct EmailVerification: Sendable {
    let context: AccountContext

    public init(context: AccountContext) {
        self.context = context
    }

    /// Queues a verification code for an unverified active account (60 s cooldown per address);
    /// answers nothing about the address.
    public func sendCode(_ parsed: Result<EmailRequest, AuthError>, client: ClientInfo) async throws {
        try await context.mailCode(.verifyEmail, throttledAs: .sendOTP, parsed, client: client) { $0.isActive && !$0.isVerified }
    }

    /// Verifies the address with its code and answers with tokens. `continuing` are tokens the
    /// request carries (bearer, cookies): when one names a live session of this user — the one
    /// signup opened — that session is rotated and continued; otherwise a new one starts.
    public func verify(_ parsed: Result<VerifyEmailRequest, AuthError>, client: ClientInfo,
                       continuing: [String] = []) async throws -> AuthResult {
        try await context.throttle(.verifyEmail, .ip(client.ip))
        let request = try parsed.get()
        let key = EmailAddress.key(request.email)
        try await context.throttle(.verifyEmail, address: .email(key), client: client)
        guard let user = try await context.store.user(emailKey: key), let id = user.id, user.isActive else {
            throw AuthError.codeInvalid
        }
        let matches = context.matcher(request.otp, purpose: .verifyEmail, emailKey: key)
        let now = context.clock.now()
        if let (sessionId, level) = await liveSession(of: id, among: continuing) {
            let newJti = context.random.hexID()
            do {
                let outcome = try await context.store.redeemCode(
                    purpose: .verifyEmail, userId: id, emailKey: key, now: now, matches: matches,
                    effect: .verifyEmailContinuing(sessionId: sessionId, newJti: newJti, newExpiry: now.addingTimeInterval(context.tokens.refreshTTL)))
                let verified = try await context.settle(outcome, purpose: .verifyEmail, userId: id, client: client)
                return AuthResult(user: verified, tokens: try await context.tokens.issue(
                    userId: id, sessionId: sessionId, refreshJti: newJti, level: level))
            } catch StorageError.sessionEnded {
                // Ended between the check and the redemption (which rolled back): start a new one.
            }
        }
        // Opened by the e-mailed code alone, no password: `amr` says so.
        var session = context.newSession(userId: id, client: client)
        session.level = .emailCode
        let outcome = try await context.store.redeemCode(
            purpose: .verifyEmail, userId: id, emailKey: key, now: now, matches: matches, effect: .verifyEmail(session: session))
        let verified = try await context.settle(outcome, purpose: .verifyEmail, userId: id, client: client)
        return AuthResult(user: verified, tokens: try await context.issue(session))
    }

    /// The first of `candidates` that is a valid token of a live session of `userId`: an access
    /// token of an active session, or the current refresh token of one.
    func liveSession(of userId: Int64, among candidates: [String]) async -> (id: String, level: SessionLevel)? {
        let now = context.clock.now()
        for token in candidates {
            guard let claims = try? await context.tokens.verify(token), claims.userId == userId else { continue }
            let live: Bool?
            switch claims.tokenType {
            case .access: live = try? await context.store.authenticatedUser(sessionId: claims.sid, userId: userId, now: now) != nil
            case .refresh: live = try? await context.store.isRefreshCurrent(sessionId: claims.sid, userId: userId, jti: claims.jti, now: now)
            }
            if live == true { return (claims.sid, claims.level) }
        }
        return nil
    }
}
