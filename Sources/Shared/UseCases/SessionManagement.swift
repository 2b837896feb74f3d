import Foundation

/// The caller's login sessions: list them, end one, end all.
public struct SessionManagement: Sendable {
    let store: any AuthStore
    let audit: AuditLog
    let clock: any AuthClock

    /// The caller's active sessions, newest first.
    public func list(_ caller: Authenticated) async throws -> [LoginSession] {
        try await store.sessions(userId: caller.userId, now: clock.now())
    }

    /// Ends one of the caller's sessions; `notFound` when it is unknown, ended or someone else's.
    public func revoke(_ caller: Authenticated, id: String, client: ClientInfo) async throws {
        // Session ids are base64url tokens: anything else (a NUL, say) is unknown without a lookup.
        guard id.utf8.count <= 64, id.utf8.allSatisfy(Base64URL.isAlphabet),
              try await store.revokeSession(userId: caller.userId, sessionId: id, now: clock.now()) else {
            throw AuthError.notFound
        }
        await audit.record(.sessionRevoked, userId: caller.userId, client: client, detail: id == caller.sessionId ? "current" : "other")
    }

    /// Ends every session of the caller.
    public func logoutAll(_ caller: Authenticated, client: ClientInfo) async throws {
        let count = try await store.revokeAllSessions(userId: caller.userId, now: clock.now())
        await audit.record(.logoutAll, userId: caller.userId, client: client, detail: "\(count) sessions")
    }
}
