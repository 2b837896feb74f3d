import Foundation
import PostgresNIO

extension PostgresBackend: AuthStore {
    public func user(emailKey: String) async throws -> User? {
        try await client.withConnection { connection in
            try await connection.rows(
                "SELECT \(unescaped: PostgresRows.userColumns) FROM users WHERE email_key = \(emailKey)", logger: logger
            ).first.map(PostgresRows.user)
        }
    }

    public func user(id: Int64) async throws -> User? {
        try await client.withConnection { connection in try await connection.user(id: id, logger: logger) }
    }

    public func updateNames(userId: Int64, firstName: String?, lastName: String?) async throws -> User? {
        try await transaction { connection in
            try await connection.rows("""
                UPDATE users SET first_name = COALESCE(\(firstName), first_name), last_name = COALESCE(\(lastName), last_name)
                WHERE id = \(userId)
                RETURNING \(unescaped: PostgresRows.userColumns)
                """, logger: logger).first.map(PostgresRows.user)
        }
    }

    public func cooldownRemaining(kind: MailJob.Kind, cooldownSubject: String, cooldown: TimeInterval, now: Date) async throws -> TimeInterval {
        let last = try await client.withConnection { connection in
            try await connection.rows(
                "SELECT last_sent_at FROM send_cooldowns WHERE purpose = \(kind.rawValue) AND subject = \(cooldownSubject)",
                logger: logger
            ).first?.decode(Double.self)
        }
        guard let last else { return 0 }
        return max(0, last + cooldown - now.timeIntervalSince1970)
    }
    public func recordEvent(_ record: AuditRecord) async throws {
        try await client.withConnection { connection in
            try await connection.run("""
                INSERT INTO auth_events (event, user_id, ip, user_agent, detail, created_at)
                VALUES (\(record.event.rawValue), \(record.userId), \(record.ip), \(record.userAgent), \(record.detail),
                        \(record.createdAt.timeIntervalSince1970))
                """, logger: logger)
        }
    }

    public func purgeExpired(now: Date, auditRetention: TimeInterval) async throws -> Int {
        try await transaction { connection in
            let t = now.timeIntervalSince1970
            var removed = try await connection.count(
                "DELETE FROM login_sessions WHERE expires_at < \(t) OR revoked_at < \(t - 86_400) RETURNING 1", logger: logger)
            removed += try await connection.count("DELETE FROM one_time_codes WHERE expires_at < \(t - 86_400) RETURNING 1", logger: logger)
            removed += try await connection.count("DELETE FROM send_cooldowns WHERE last_sent_at < \(t - 86_400) RETURNING 1", logger: logger)
            removed += try await connection.count("DELETE FROM auth_events WHERE created_at < \(t - auditRetention) RETURNING 1", logger: logger)
            return removed
        }
    }
}
