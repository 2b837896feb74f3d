import Foundation

/// The reads of sessions, and the one home of "is this session active": not revoked, not
/// expired, of the token's user. Read on every request and never cached, so a revocation
/// through any replica holds on the next request.
enum SessionReads {
    /// The condition every read of an active session shares.
    static let active = "login_sessions.revoked_at IS NULL AND login_sessions.expires_at > ?"

    /// The user of an active session, in one indexed lookup: on every authenticated request.
    static func authenticatedUser(sessionId: String, userId: Int64, now: Date) -> SQLStatement {
        SQLStatement(AuthenticatedUser.self, sessionId, userId, now)
    }

    enum AuthenticatedUser: PreparedSQL {
        static let name = "authenticated_user"
        static let template = """
            SELECT \(User.shownColumns), login_sessions.aal, login_sessions.amr
            FROM login_sessions JOIN users ON users.id = login_sessions.user_id
            WHERE login_sessions.id = ? AND login_sessions.user_id = ? AND \(active)
            """
    }

    /// A row when `jti` is the current refresh token of an active session of an active user.
    static func currentRefresh(sessionId: String, userId: Int64, jti: String, now: Date) -> SQLStatement {
        SQLStatement(CurrentRefresh.self, sessionId, userId, jti, now)
    }

    enum CurrentRefresh: PreparedSQL {
        static let name = "current_refresh"
        static let template = """
            SELECT 1 AS current FROM login_sessions JOIN users ON users.id = login_sessions.user_id
            WHERE login_sessions.id = ? AND login_sessions.user_id = ? AND login_sessions.refresh_jti = ? AND \(active)
              AND users.is_active
            """
    }

    /// The user's active sessions, newest first (ties by id, the same order on both databases).
    static func sessions(userId: Int64, now: Date) -> SQLStatement {
        SQLStatement("""
            SELECT \(LoginSession.columns) FROM login_sessions WHERE user_id = ? AND \(active)
            ORDER BY created_at DESC, id DESC
            """, userId, now)
    }
}
