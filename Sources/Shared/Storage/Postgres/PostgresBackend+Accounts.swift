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

    public func createUser(_ user: User) async throws -> User {
        try await insertUser(user) { _, created in created }
    }

    public func createUserQueueingVerification(
        _ user: User, session: LoginSession.Draft, mail: MailJob.Draft, now: Date
    ) async throws -> (user: User, session: LoginSession) {
        let logger = self.logger
        return try await insertUser(user) { connection, created in
            let id = created.id!
            let opened = session.session(for: id)
            try await connection.insertSession(opened, logger: logger)
            _ = try await Self.claimCooldown(connection, purpose: mail.kind.rawValue, subject: created.emailKey, seconds: 0, now: now, logger: logger)
            try await connection.insertJob(mail.job(for: id, now: now), logger: logger)
            return (created, opened)
        }
    }

    /// Inserts the user, then runs `then` in the same transaction; the unique index on the
    /// address answers `emailTaken`, leaving nothing behind.
    private func insertUser<T: Sendable>(
        _ user: User, then: @escaping @Sendable (PostgresConnection, User) async throws -> T
    ) async throws -> T {
        do {
            return try await transaction { connection in
                let rows = try await connection.rows("""
                    INSERT INTO users (email, email_key, password, first_name, last_name, is_active, is_staff, is_superuser,
                                       is_verified, date_joined, last_login)
                    VALUES (\(user.email), \(user.emailKey), \(user.password), \(user.firstName), \(user.lastName),
                            \(user.isActive), \(user.isStaff), \(user.isSuperuser), \(user.isVerified),
                            \(user.dateJoined.timeIntervalSince1970), \(user.lastLogin?.timeIntervalSince1970))
                    RETURNING id
                    """, logger: logger)
                guard let id = try rows.first?.decode(Int64.self) else { throw StorageError.emailTaken }
                var created = user
                created.id = id
                return try await then(connection, created)
            }
        } catch where Self.isUniqueViolation(error) {
            throw StorageError.emailTaken
        }
    }

    public func recordLogin(userId: Int64, session: LoginSession, upgrade: (from: String, to: String)?, now: Date) async throws {
        try await transaction { connection in
            try await connection.insertSession(session, logger: logger)
            try await connection.run("UPDATE users SET last_login = \(now.timeIntervalSince1970) WHERE id = \(userId)", logger: logger)
            if let upgrade {
                try await connection.run(
                    "UPDATE users SET password = \(upgrade.to) WHERE id = \(userId) AND password = \(upgrade.from)", logger: logger)
            }
        }
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

    public func queueMail(_ job: MailJob, cooldownSubject: String, cooldown: TimeInterval, now: Date) async throws -> Bool {
        try await transaction { connection in
            guard try await Self.claimCooldown(
                connection, purpose: job.kind.rawValue, subject: cooldownSubject, seconds: cooldown, now: now, logger: logger)
            else { return false }
            try await connection.insertJob(job, logger: logger)
            return true
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

    /// Atomically takes the send slot of (purpose, subject) unless it was taken less than
    /// `seconds` ago: the upsert locks the row, so of parallel calls exactly one takes it.
    static func claimCooldown(
        _ connection: PostgresConnection, purpose: String, subject: String, seconds: TimeInterval, now: Date, logger: Logger
    ) async throws -> Bool {
        let t = now.timeIntervalSince1970
        return try await connection.count("""
            INSERT INTO send_cooldowns (purpose, subject, last_sent_at) VALUES (\(purpose), \(subject), \(t))
            ON CONFLICT (purpose, subject) DO UPDATE SET last_sent_at = excluded.last_sent_at
            WHERE send_cooldowns.last_sent_at <= \(t - seconds)
            RETURNING 1
            """, logger: logger) > 0
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
