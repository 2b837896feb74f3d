import Foundation
import GRDB

extension AppDatabase {
    public func authenticatedUser(sessionId: String, userId: Int64, now: Date) async throws -> User? {
        try authenticatedUserSync(sessionId: sessionId, userId: userId, now: now)
    }

    /// A synchronous read on a pooled connection: a primary-key lookup costs microseconds,
    /// far less than the thread hop of an asynchronous read (see PERF_NOTES), and this runs
    /// on every authenticated request.
    func authenticatedUserSync(sessionId: String, userId: Int64, now: Date) throws -> User? {
        // One SELECT needs no snapshot transaction around it: `unsafeRead` skips BEGIN/COMMIT.
        try pool.unsafeRead { db in
            let statement = try db.cachedStatement(sql: """
                SELECT users.* FROM login_sessions JOIN users ON users.id = login_sessions.user_id
                WHERE login_sessions.id = ? AND login_sessions.user_id = ?
                  AND login_sessions.revoked_at IS NULL AND login_sessions.expires_at > ?
                """)
            return try User.fetchOne(statement, arguments: [sessionId, userId, now.timeIntervalSince1970])
        }
    }

    public func isRefreshCurrent(sessionId: String, userId: Int64, jti: String, now: Date) async throws -> Bool {
        try isRefreshCurrentSync(sessionId: sessionId, userId: userId, jti: jti, now: now)
    }

    func isRefreshCurrentSync(sessionId: String, userId: Int64, jti: String, now: Date) throws -> Bool {
        try pool.unsafeRead { db in
            let statement = try db.cachedStatement(sql: """
                SELECT 1 FROM login_sessions JOIN users ON users.id = login_sessions.user_id
                WHERE login_sessions.id = ? AND login_sessions.user_id = ? AND refresh_jti = ? AND revoked_at IS NULL
                  AND expires_at > ? AND users.is_active
                """)
            return try Bool.fetchOne(statement, arguments: [sessionId, userId, jti, now.timeIntervalSince1970]) ?? false
        }
    }
}

extension AppDatabase {
    public func sessions(userId: Int64, now: Date) async throws -> [LoginSession] {
        try await pool.read { db in
            try LoginSession.fetchAll(
                db,
                sql: """
                    SELECT * FROM login_sessions WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?
                    ORDER BY created_at DESC, rowid DESC
                    """,
                arguments: [userId, now.timeIntervalSince1970])
        }
    }
}
