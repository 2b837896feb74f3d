import Foundation

/// The one home of refresh-token reuse detection. The session row is locked (PostgreSQL) or the
/// writer held (SQLite), so two replicas presenting one token are serialized: the second sees
/// the first's new jti.
enum SessionRotation {
    /// What rotation and logout require of a session and its user, as one condition (with
    /// `?`s for the id, user, jti and now): the token's session, active, its user active.
    static let currentCondition = """
        login_sessions.id = ? AND login_sessions.user_id = ? AND login_sessions.refresh_jti = ? AND \(SessionSQL.active)
          AND EXISTS (SELECT 1 FROM users WHERE users.id = login_sessions.user_id AND users.is_active)
        """

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
                return .write(SessionSQL.end(session: sessionId, reason: "refresh_reuse", now: now)) { _ in
                    .done(.reuseDetected(userId: owner))
                }
            }
            return then(SessionLevel(aal: try row.int("aal"), storedMethods: try row.text("amr")))
        }
    }

    /// The session and its user's state, locked: the first statement of every refresh and logout
    /// that the one-statement path could not settle.
    enum LockedSession: PreparedSQL {
        static let name = "locked_session"
        static let template = """
            SELECT login_sessions.user_id, refresh_jti, expires_at, revoked_at, aal, amr, users.is_active
            FROM login_sessions JOIN users ON users.id = login_sessions.user_id WHERE login_sessions.id = ?
            """
        static let lock = SQLStatement.Lock.forUpdate(of: "login_sessions")
    }
}
