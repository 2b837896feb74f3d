import Foundation
import PostgresNIO

extension PostgresBackend {
    public func authenticatedUser(sessionId: String, userId: Int64, now: Date) async throws -> User? {
        // Read on every request, never cached: a revocation through any replica holds on the next one.
        try await client.withConnection { connection in
            try await connection.rows("""
                SELECT \(unescaped: PostgresRows.userColumns) FROM login_sessions JOIN users ON users.id = login_sessions.user_id
                WHERE login_sessions.id = \(sessionId) AND login_sessions.user_id = \(userId)
                  AND login_sessions.revoked_at IS NULL AND login_sessions.expires_at > \(now.timeIntervalSince1970)
                """, logger: logger).first.map(PostgresRows.user)
        }
    }

    public func isRefreshCurrent(sessionId: String, userId: Int64, jti: String, now: Date) async throws -> Bool {
        try await client.withConnection { connection in
            try await connection.count("""
                SELECT 1 FROM login_sessions JOIN users ON users.id = login_sessions.user_id
                WHERE login_sessions.id = \(sessionId) AND login_sessions.user_id = \(userId) AND refresh_jti = \(jti) AND revoked_at IS NULL
                  AND expires_at > \(now.timeIntervalSince1970) AND users.is_active
                """, logger: logger) == 1
        }
    }

    public func sessions(userId: Int64, now: Date) async throws -> [LoginSession] {
        try await client.withConnection { connection in
            try await connection.rows("""
                SELECT \(unescaped: PostgresRows.sessionColumns) FROM login_sessions
                WHERE user_id = \(userId) AND revoked_at IS NULL AND expires_at > \(now.timeIntervalSince1970)
                ORDER BY created_at DESC, id DESC
                """, logger: logger).map(PostgresRows.session)
        }
    }

    public func revokeSession(userId: Int64, sessionId: String, now: Date) async throws -> Bool {
        try await client.withConnection { connection in
            try await connection.count("""
                UPDATE login_sessions SET revoked_at = \(now.timeIntervalSince1970), revoke_reason = 'revoked'
                WHERE id = \(sessionId) AND user_id = \(userId) AND revoked_at IS NULL AND expires_at > \(now.timeIntervalSince1970)
                RETURNING 1
                """, logger: logger) == 1
        }
    }

    public func revokeAllSessions(userId: Int64, now: Date) async throws -> Int {
        try await transaction { connection in
            // After the user-row lock, the UPDATE's snapshot includes sessions that a password
            // change committed while this waited: none escapes.
            try await connection.lockUser(userId, logger: logger)
            return try await connection.revokeAll(userId: userId, except: nil, reason: "logout_all", now: now, logger: logger)
        }
    }
}
