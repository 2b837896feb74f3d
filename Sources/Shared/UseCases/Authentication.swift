import Foundation

/// The caller of an authenticated request: the user and the login session its token belongs to.
public struct Authenticated: Sendable {
    public var user: User
    public var sessionId: String
    /// How the session was authenticated: what step-up checks.
    public var level: SessionLevel

    public var userId: Int64 { user.id ?? 0 }
}

/// Tokens against their login sessions: who is calling, refresh with rotation and reuse
/// detection, verification, logout. The session row decides; a token only names it.
public struct Authentication: Sendable {
    let store: any AuthStore
    let tokens: TokenService
    let sessions: SessionOpener
    let audit: AuditLog
    let clock: any AuthClock

    public init(store: any AuthStore, tokens: TokenService, sessions: SessionOpener, audit: AuditLog, clock: any AuthClock) {
        self.store = store
        self.tokens = tokens
        self.sessions = sessions
        self.audit = audit
        self.clock = clock
    }

    /// The user behind an access token, with its login session, if that session is still active.
    public func authenticate(accessToken: String) async throws -> Authenticated {
        let claims = try await tokens.claims(accessToken, expecting: .access)
        guard let found = try await store.authenticatedUser(sessionId: claims.sid, userId: claims.userId, now: clock.now()) else {
            throw AuthError.tokenNotValid
        }
        guard found.user.isActive else { throw AuthError.userInactive }
        return Authenticated(user: found.user, sessionId: claims.sid, level: found.level)
    }

    /// Rotates a refresh token: a new pair for the same session; a replayed one ends the session.
    public func refresh(_ token: String, client: ClientInfo) async throws -> TokenPair {
        let claims = try await tokens.claims(token, expecting: .refresh)
        let newJti = sessions.newJti()
        let now = clock.now()
        let change = try await store.rotate(
            sessionId: claims.sid, userId: claims.userId, presentedJti: claims.jti, newJti: newJti,
            newExpiry: now.addingTimeInterval(tokens.refreshTTL), level: claims.level, now: now)
        try await check(change, client: client)
        // The session's level, not the token's: a second factor passed since raises it.
        guard case .rotated(let level) = change else { throw AuthError.tokenNotValid }
        return try await tokens.issue(userId: claims.userId, sessionId: claims.sid, refreshJti: newJti, level: level)
    }

    /// Accepts any valid token of this service whose session is active (a refresh token must also be current).
    public func verify(_ token: String) async throws {
        let claims = try await tokens.claims(token, expecting: nil)
        guard try await isLive(claims) else { throw AuthError.tokenNotValid }
    }

    /// Whether the token's session is active: for an access token, of an active user; for a
    /// refresh token, with it as the current one.
    func isLive(_ claims: TokenClaims) async throws -> Bool {
        let now = clock.now()
        switch claims.tokenType {
        case .refresh:
            return try await store.isRefreshCurrent(sessionId: claims.sid, userId: claims.userId, jti: claims.jti, now: now)
        case .access:
            return try await store.authenticatedUser(sessionId: claims.sid, userId: claims.userId, now: now)?.user.isActive == true
        }
    }

    /// Ends the login session of a refresh token; returns that session's id.
    @discardableResult
    public func logout(_ token: String, client: ClientInfo) async throws -> String {
        let claims = try await tokens.claims(token, expecting: .refresh)
        let change = try await store.endSession(sessionId: claims.sid, userId: claims.userId, presentedJti: claims.jti, now: clock.now())
        try await check(change, client: client)
        await audit.record(.logout, userId: claims.userId, client: client)
        return claims.sid
    }

    /// The claims of a token, if its signature and claims are valid (its session's state is not
    /// looked at): for telling which session and user a browser's cookies belong to.
    public func claims(of token: String) async -> TokenClaims? {
        try? await tokens.verify(token)
    }

    private func check(_ change: SessionChange, client: ClientInfo) async throws {
        switch change {
        case .done, .rotated: return
        case .inactive: throw AuthError.tokenNotValid
        case .reuseDetected(let userId):
            ServiceMetrics.refreshReuseDetected()
            await audit.record(.refreshReuseDetected, userId: userId, client: client, detail: "session revoked")
            throw AuthError.tokenNotValid
        }
    }
}
