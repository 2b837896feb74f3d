import Foundation

/// Login sessions, for both databases: the one home of "which session is this request's" (read
/// on every request and never cached, so a revocation through any replica holds on the next
/// one) and of refresh rotation with reuse detection. A backend only runs the statements.
extension TransactionRunner {
    /// The user of an active session, in one indexed lookup: on every authenticated request.
    public func authenticatedUser(sessionId: String, userId: Int64, now: Date) async throws -> SessionUser? {
        try await query(SQLStatement(AuthenticatedUser.self, sessionId, userId, now)).first.map { row in
            SessionUser(user: try User(row), level: SessionLevel(aal: try row.int("aal"), storedMethods: try row.text("amr")))
        }
    }

    /// Whether `jti` is the current refresh token of an active session of an active user.
    public func isRefreshCurrent(sessionId: String, userId: Int64, jti: String, now: Date) async throws -> Bool {
        try await !query(SQLStatement(CurrentRefresh.self, sessionId, userId, jti, now)).isEmpty
    }

    /// The user's active sessions, newest first (ties by id, the same order on both databases).
    public func sessions(userId: Int64, now: Date) async throws -> [LoginSession] {
        try await query(SQLStatement("""
            SELECT \(LoginSession.columns) FROM login_sessions WHERE user_id = ? AND \(SessionSQL.active)
            ORDER BY created_at DESC, id DESC
            """, userId, now)).map(LoginSession.init)
    }

    /// The new session, `last_login`, and an upgraded hash — stored only while the password is
    /// still the verified `upgrade.from` (a reset or change committed meanwhile wins).
    public func recordLogin(userId: Int64, session: LoginSession, upgrade: (from: String, to: String)?, now: Date) async throws {
        var statements = [SessionSQL.insert(session), SQLStatement("UPDATE users SET last_login = ? WHERE id = ?", now, userId)]
        if let upgrade {
            statements.append(SQLStatement("UPDATE users SET password = ? WHERE id = ? AND password = ?", upgrade.to, userId, upgrade.from))
        }
        try await run(.writes(statements, then: .done(())))
    }

    /// Ends one active session of the user; false when there is none with that id.
    public func revokeSession(userId: Int64, sessionId: String, now: Date) async throws -> Bool {
        try await run(.write(SessionSQL.end("login_sessions.id = ? AND login_sessions.user_id = ?", [sessionId.sqlValue, userId.sqlValue],
                                            reason: "revoked", now: now)) { changed in .done(changed == 1) })
    }

    /// Ends every active session of the user, after the user-row lock: the update then also sees
    /// a session that a password change committed while this waited, so none escapes.
    public func revokeAllSessions(userId: Int64, now: Date) async throws -> Int {
        try await run(.write(Statements.lock(user: userId)) { _ in
            let statements = SessionSQL.endEverything(userId: userId, reason: "logout_all", now: now)
            return .write(statements[0]) { changed in .writes(Array(statements.dropFirst()), then: .done(changed)) }
        })
    }

    /// Rotates the session's refresh jti. The usual case is one statement without a transaction
    /// (one round trip on PostgreSQL instead of four); when it changes no row, the locked path
    /// decides why not: reuse (the session ends), or a session that ended.
    public func rotate(sessionId: String, userId: Int64, presentedJti: String, newJti: String, newExpiry: Date,
                       level: SessionLevel, now: Date) async throws -> SessionChange {
        // The presented token's level is part of the condition: when a second factor raised the
        // session since, the locked path reads the new level for the new tokens.
        if try await execute(SQLStatement(
            RotationIfCurrent.self, newJti, now, newExpiry, sessionId, userId, presentedJti, now, level.aal, level.storedMethods)) == 1 {
            return .rotated(level)
        }
        return try await run(SessionRotation.check(sessionId: sessionId, userId: userId, presentedJti: presentedJti, now: now) { level in
            .write(SQLStatement(Rotation.self, newJti, now, newExpiry, sessionId, presentedJti)) { _ in .done(.rotated(level)) }
        })
    }

    /// Ends the session if `presentedJti` is current; a stale jti ends it too but reports reuse.
    public func endSession(sessionId: String, userId: Int64, presentedJti: String, now: Date) async throws -> SessionChange {
        if try await execute(SQLStatement(EndIfCurrent.self, now, "logout", sessionId, userId, presentedJti, now)) == 1 {
            return .done
        }
        return try await run(SessionRotation.check(sessionId: sessionId, userId: userId, presentedJti: presentedJti, now: now) { _ in
            .write(SessionSQL.end(session: sessionId, reason: "logout", now: now)) { _ in .done(.done) }
        })
    }
}

/// The statements of the session rules that run on nearly every request, prepared once per
/// PostgreSQL connection (see `PreparedSQL`).
enum AuthenticatedUser: PreparedSQL {
    static let name = "authenticated_user"
    static let template = """
        SELECT \(User.shownColumns), login_sessions.aal, login_sessions.amr
        FROM login_sessions JOIN users ON users.id = login_sessions.user_id
        WHERE login_sessions.id = ? AND login_sessions.user_id = ? AND \(SessionSQL.active)
        """
}

enum CurrentRefresh: PreparedSQL {
    static let name = "current_refresh"
    static let template = """
        SELECT 1 AS current FROM login_sessions JOIN users ON users.id = login_sessions.user_id
        WHERE login_sessions.id = ? AND login_sessions.user_id = ? AND login_sessions.refresh_jti = ? AND \(SessionSQL.active)
          AND users.is_active
        """
}

enum Rotation: PreparedSQL {
    static let name = "rotate_session"
    static let template = """
        UPDATE login_sessions SET refresh_jti = ?, last_used_at = ?, expires_at = ? WHERE id = ? AND refresh_jti = ?
        """
}

enum RotationIfCurrent: PreparedSQL {
    static let name = "rotate_if_current"
    static let template = "UPDATE login_sessions SET refresh_jti = ?, last_used_at = ?, expires_at = ? WHERE "
        + SessionRotation.currentCondition + " AND aal = ? AND amr = ?"
}

enum EndIfCurrent: PreparedSQL {
    static let name = "end_if_current"
    static let template = SessionSQL.endText(where: SessionRotation.currentCondition)
}
