import Foundation
import Logging
import PostgresNIO

/// Statements that several transactions of the PostgreSQL backend share.
extension PostgresConnection {
    /// The rows of a query, collected.
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        try await self.query(query, logger: logger).collect()
    }

    /// How many rows a statement with `RETURNING 1` touched.
    func count(_ query: PostgresQuery, logger: Logger) async throws -> Int {
        try await self.query(query, logger: logger).collect().count
    }

    func run(_ query: PostgresQuery, logger: Logger) async throws {
        _ = try await self.query(query, logger: logger).collect()
    }
    func insertSession(_ session: LoginSession, logger: Logger) async throws {
        try await run("""
            INSERT INTO login_sessions (id, user_id, refresh_jti, created_at, last_used_at, expires_at, user_agent, ip)
            VALUES (\(session.id), \(session.userId), \(session.refreshJti), \(session.createdAt.timeIntervalSince1970),
                    \(session.lastUsedAt.timeIntervalSince1970), \(session.expiresAt.timeIntervalSince1970),
                    \(session.userAgent), \(session.ip))
            """, logger: logger)
    }

    /// Locks the user row for the rest of the transaction. Taken first by every transaction
    /// that changes a user's sessions as a whole; `NO KEY UPDATE` leaves logins (whose
    /// foreign key takes `KEY SHARE`) unblocked.
    func lockUser(_ id: Int64, logger: Logger) async throws {
        try await run("SELECT 1 FROM users WHERE id = \(id) FOR NO KEY UPDATE", logger: logger)
    }

    func user(id: Int64, logger: Logger) async throws -> User? {
        try await rows("SELECT \(unescaped: PostgresRows.userColumns) FROM users WHERE id = \(id)", logger: logger)
            .first.map(PostgresRows.user)
    }

    /// Ends every active session of the user (but `except`); returns how many.
    @discardableResult
    func revokeAll(userId: Int64, except: String?, reason: String, now: Date, logger: Logger) async throws -> Int {
        try await count("""
            UPDATE login_sessions SET revoked_at = \(now.timeIntervalSince1970), revoke_reason = \(reason)
            WHERE user_id = \(userId) AND revoked_at IS NULL AND id IS DISTINCT FROM \(except)
            RETURNING 1
            """, logger: logger)
    }
}
