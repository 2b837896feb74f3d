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
}
