import Foundation

/// New login sessions: an unguessable id and refresh jti, opened now, expiring with the refresh
/// lifetime. Time and randomness come from the injected clock and source.
public struct SessionOpener: Sendable {
    let clock: any AuthClock
    let random: any RandomSource
    let refreshTTL: TimeInterval

    /// A session for a user whose id the store assigns in the same transaction (signup), or
    /// that the store decides (the second step of a login: the challenge's user).
    func draft(client: ClientInfo) -> LoginSession.Draft {
        let now = clock.now()
        return LoginSession.Draft(
            id: random.token(byteCount: 16), refreshJti: newJti(), createdAt: now,
            expiresAt: now.addingTimeInterval(refreshTTL), userAgent: client.userAgent, ip: client.ip)
    }

    /// A new session of `userId`.
    func open(userId: Int64, client: ClientInfo, level: SessionLevel = .password) -> LoginSession {
        draft(client: client).session(for: userId, level: level)
    }

    /// A refresh token's id, for a new session or a rotation.
    func newJti() -> String {
        random.hexID()
    }
}
