import Foundation

/// Rotating or ending a login session with a presented refresh token: the one home of reuse
/// detection. The session row is locked (PostgreSQL) or the writer held (SQLite), so two
/// replicas presenting one token are serialized: the second sees the first's new jti.
enum SessionRotation {
    static func rotate(sessionId: String, userId: Int64, presentedJti: String, newJti: String, newExpiry: Date,
                       now: Date) -> TransactionStep<SessionChange> {
        check(sessionId: sessionId, userId: userId, presentedJti: presentedJti, now: now) {
            .write(SQLStatement(Rotation.self, newJti, now, newExpiry, sessionId, presentedJti)) { _ in .done(.done) }
        }
    }

    static func end(sessionId: String, userId: Int64, presentedJti: String, now: Date) -> TransactionStep<SessionChange> {
        check(sessionId: sessionId, userId: userId, presentedJti: presentedJti, now: now) {
            .write(Statements.revoke(session: sessionId, reason: "logout", now: now)) { _ in .done(.done) }
        }
    }

    /// `then` when the presented jti is the active session's current one and the session is the
    /// token's user's; a stale jti revokes the session (refresh-token reuse); another user's
    /// session, or one that ended, is `.inactive` and left alone.
    static func check(sessionId: String, userId: Int64, presentedJti: String, now: Date,
                      then: @escaping @Sendable () -> TransactionStep<SessionChange>) -> TransactionStep<SessionChange> {
        .read(SQLStatement(LockedSession.self, sessionId)) { rows in
            guard let row = rows.first else { return .done(.inactive) }
            let owner = try row.int64("user_id")
            guard owner == userId, try row.optionalDouble("revoked_at") == nil,
                  try row.double("expires_at") > now.timeIntervalSince1970, try row.bool("is_active")
            else { return .done(.inactive) }
            guard try row.text("refresh_jti") == presentedJti else {
                return .write(Statements.revoke(session: sessionId, reason: "refresh_reuse", now: now)) { _ in
                    .done(.reuseDetected(userId: owner))
                }
            }
            return then()
        }
    }

    /// The session and its user's state, locked: the first statement of every refresh and logout.
    enum LockedSession: PreparedSQL {
        static let name = "locked_session"
        static let template = """
            SELECT login_sessions.user_id, refresh_jti, expires_at, revoked_at, users.is_active
            FROM login_sessions JOIN users ON users.id = login_sessions.user_id WHERE login_sessions.id = ?
            """
        static let lock = SQLStatement.Lock.forUpdate(of: "login_sessions")
    }

    enum Rotation: PreparedSQL {
        static let name = "rotate_session"
        static let template = """
            UPDATE login_sessions SET refresh_jti = ?, last_used_at = ?, expires_at = ? WHERE id = ? AND refresh_jti = ?
            """
    }
}
