import Foundation

/// What every rule says about login sessions, named once: "this session is active" and the
/// statement that ends sessions, so a condition written differently in one place cannot let
/// an ended session back in, or leave one out of a logout.
enum SessionSQL {
    /// Not revoked and not expired; one `?`, now. Every read or change of an active session
    /// uses it.
    static let active = "login_sessions.revoked_at IS NULL AND login_sessions.expires_at > ?"

    static func insert(_ session: LoginSession) -> SQLStatement {
        SQLStatement("""
            INSERT INTO login_sessions (id, user_id, refresh_jti, created_at, last_used_at, expires_at, user_agent, ip, aal, amr)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, session.id, session.userId, session.refreshJti, session.createdAt, session.lastUsedAt, session.expiresAt,
            session.userAgent, session.ip, session.level.aal, session.level.storedMethods)
    }

    /// Ends the active sessions that `condition` (with its `values`) selects, recording why.
    static func end(_ condition: String, _ values: [SQLValue], reason: String, now: Date) -> SQLStatement {
        SQLStatement(endText(where: "\(condition) AND \(active)"), arguments: [now.sqlValue, reason.sqlValue] + values + [now.sqlValue])
    }

    /// The text of every statement that ends sessions: `?`s for when and why, then the condition's.
    static func endText(where condition: String) -> String {
        "UPDATE login_sessions SET revoked_at = ?, revoke_reason = ? WHERE \(condition)"
    }

    /// Ends one session, if it is active.
    static func end(session id: String, reason: String, now: Date) -> SQLStatement {
        end("login_sessions.id = ?", [id.sqlValue], reason: reason, now: now)
    }

    /// Ends every active session of the user; expired ones are already unusable and left as they are.
    static func endAll(userId: Int64, reason: String, now: Date) -> SQLStatement {
        end("login_sessions.user_id = ?", [userId.sqlValue], reason: reason, now: now)
    }

    /// Everything that ends with "every session of the user" (logout-all, a password change or
    /// reset, a deactivation): the login sessions, then the OpenID Provider's token sessions,
    /// offline ones included. The first statement's count is the login sessions ended.
    static func endEverything(userId: Int64, reason: String, now: Date) -> [SQLStatement] {
        [endAll(userId: userId, reason: reason, now: now),
         SQLStatement("UPDATE oauth_token_sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL", now, userId)]
    }
}
