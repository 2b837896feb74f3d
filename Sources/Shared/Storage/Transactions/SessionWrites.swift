import Foundation

/// Opening and ending sessions outside rotation: a login (with its quiet hash upgrade), ending
/// one of a user's sessions, ending all of them.
enum SessionWrites {
    /// The new session, `last_login`, and an upgraded hash — stored only while the password is
    /// still the verified `upgrade.from` (a reset or change committed meanwhile wins).
    static func login(userId: Int64, session: LoginSession, upgrade: (from: String, to: String)?, now: Date) -> TransactionStep<Void> {
        var statements = [Statements.insert(session), SQLStatement("UPDATE users SET last_login = ? WHERE id = ?", now, userId)]
        if let upgrade {
            statements.append(SQLStatement("UPDATE users SET password = ? WHERE id = ? AND password = ?", upgrade.to, userId, upgrade.from))
        }
        return .writes(statements, then: .done(()))
    }

    /// Ends one active session of the user; false when there is none with that id.
    static func revoke(userId: Int64, sessionId: String, now: Date) -> TransactionStep<Bool> {
        .write(SQLStatement("""
            UPDATE login_sessions SET revoked_at = ?, revoke_reason = 'revoked'
            WHERE id = ? AND user_id = ? AND revoked_at IS NULL AND expires_at > ?
            """, now, sessionId, userId, now)) { changed in .done(changed == 1) }
    }

    /// Ends every active session of the user, after the user-row lock: the update then also sees
    /// a session that a password change committed while this waited, so none escapes.
    static func revokeAll(userId: Int64, now: Date) -> TransactionStep<Int> {
        .write(Statements.lock(user: userId)) { _ in
            .write(Statements.revokeAll(userId: userId, reason: "logout_all", now: now)) { changed in .done(changed) }
        }
    }
}
