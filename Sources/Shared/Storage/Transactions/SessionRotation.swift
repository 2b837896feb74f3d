import Foundation

/// Rotating or ending a login session with a presented refresh token: the one home of reuse
/// detection. The session row is locked (PostgreSQL) or the writer held (SQLite), so two
/// replicas presenting one token are serialized: the second sees the first's new jti.
enum SessionRotation {
    static func rotate(sessionId: String, userId: Int64, presentedJti: String, newJti: String, newExpiry: Date,
                       now: Date) -> TransactionStep<SessionChange> {
        check(sessionId: sessionId, userId: userId, presentedJti: presentedJti, now: now) { level in
            .write(SQLStatement(Rotation.self, newJti, now, newExpiry, sessionId, presentedJti)) { _ in .done(.rotated(level)) }
        }
    }

    /// The usual rotation in one statement, without a transaction: the session is the token's
    /// user's and active, its user active, and the presented jti its current one. When it changes
    /// no row, `rotate` decides under the lock why not (reuse, or an ended session). One round
    /// trip on PostgreSQL instead of four (BEGIN, the locked read, the update, COMMIT).
    /// The presented token's level is part of the condition: when a second factor raised the
    /// session since, the locked path reads the new level for the new tokens.
    static func rotateIfCurrent(sessionId: String, userId: Int64, presentedJti: String, newJti: String, newExpiry: Date,
                                level: SessionLevel, now: Date) -> SQLStatement {
        SQLStatement(RotationIfCurrent.self, newJti, now, newExpiry, sessionId, userId, presentedJti, now, level.aal, level.storedMethods)
    }

    /// Logout's usual case in one statement, as `rotateIfCurrent`.
    static func endIfCurrent(sessionId: String, userId: Int64, presentedJti: String, now: Date) -> SQLStatement {
        SQLStatement(EndIfCurrent.self, now, "logout", sessionId, userId, presentedJti, now)
    }

    static func end(sessionId: String, userId: Int64, presentedJti: String, now: Date) -> TransactionStep<SessionChange> {
        check(sessionId: sessionId, userId: userId, presentedJti: presentedJti, now: now) { _ in
            .write(Statements.revoke(session: sessionId, reason: "logout", now: now)) { _ in .done(.done) }
        }
    }

    /// `then` when the presented jti is the active session's current one and the session is the
    /// token's user's; a stale jti revokes the session (refresh-token reuse); another user's
    /// session, or one that ended, is `.inactive` and left alone.
    static func check(sessionId: String, userId: Int64, presentedJti: String, now: Date,
                      then: @escaping @Sendable (SessionLevel) -> TransactionStep<SessionChange>) -> TransactionStep<SessionChange> {
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
            return then(SessionLevel(aal: try row.int("aal"), storedMethods: try row.text("amr")))
        }
    }

    /// The session and its user's state, locked: the first statement of every refresh and logout.
    enum LockedSession: PreparedSQL {
        static let name = "locked_session"
        static let template = """
            SELECT login_sessions.user_id, refresh_jti, expires_at, revoked_at, aal, amr, users.is_active
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

    /// What `check` requires of a session and its user, as one condition.
    static let currentCondition = """
        id = ? AND user_id = ? AND refresh_jti = ? AND revoked_at IS NULL AND expires_at > ?
          AND EXISTS (SELECT 1 FROM users WHERE users.id = login_sessions.user_id AND users.is_active)
        """

    enum RotationIfCurrent: PreparedSQL {
        static let name = "rotate_if_current"
        static let template = "UPDATE login_sessions SET refresh_jti = ?, last_used_at = ?, expires_at = ? WHERE " + currentCondition
            + " AND aal = ? AND amr = ?"
    }

    enum EndIfCurrent: PreparedSQL {
        static let name = "end_if_current"
        static let template = "UPDATE login_sessions SET revoked_at = ?, revoke_reason = ? WHERE " + currentCondition
    }
}
