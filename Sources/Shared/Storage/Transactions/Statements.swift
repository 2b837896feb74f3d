import Foundation

/// The statements that several rules share, and the models read from their rows — written once
/// for both databases.
enum Statements {
    static let maxAttempts = OneTimeCode.maxAttempts

    static func insert(_ session: LoginSession) -> SQLStatement {
        SQLStatement("""
            INSERT INTO login_sessions (id, user_id, refresh_jti, created_at, last_used_at, expires_at, user_agent, ip)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, session.id, session.userId, session.refreshJti, session.createdAt, session.lastUsedAt, session.expiresAt,
            session.userAgent, session.ip)
    }

    /// The job's row, then (PostgreSQL) the notification that wakes idle workers at commit.
    static func insert(_ job: MailJob) -> [SQLStatement] {
        [
            SQLStatement("""
                INSERT INTO mail_jobs (kind, payload, state, attempts, run_at, created_at, updated_at, nonce)
                VALUES (?, ?, 'queued', 0, ?, ?, ?, ?)
                """, job.kind.rawValue, job.payload, job.runAt, job.createdAt, job.updatedAt, job.nonce),
            SQLStatement("SELECT pg_notify('\(PostgresBackend.jobChannel)', '')", only: .postgres),
        ]
    }

    static func revoke(session id: String, reason: String, now: Date) -> SQLStatement {
        SQLStatement("UPDATE login_sessions SET revoked_at = ?, revoke_reason = ? WHERE id = ? AND revoked_at IS NULL", now, reason, id)
    }

    static func revokeAll(userId: Int64, reason: String, now: Date) -> SQLStatement {
        SQLStatement("UPDATE login_sessions SET revoked_at = ?, revoke_reason = ? WHERE user_id = ? AND revoked_at IS NULL",
                     now, reason, userId)
    }

    /// Taken first by every transaction that changes a user's sessions as a whole (PostgreSQL;
    /// SQLite's write transaction already excludes the others); `NO KEY UPDATE` leaves logins,
    /// whose foreign key takes `KEY SHARE`, unblocked.
    static func lock(user id: Int64) -> SQLStatement {
        SQLStatement("SELECT 1 FROM users WHERE id = ? FOR NO KEY UPDATE", id, only: .postgres)
    }

    static let userColumns = "id, email, email_key, password, first_name, last_name, is_active, is_staff, is_superuser, "
        + "is_verified, date_joined, last_login"

    static func user(id: Int64) -> SQLStatement {
        SQLStatement("SELECT \(userColumns) FROM users WHERE id = ?", id)
    }
}

extension User {
    init(_ row: SQLRow) throws {
        self.init(
            id: try row.int64("id"), email: try row.text("email"), password: try row.text("password"),
            firstName: try row.text("first_name"), lastName: try row.text("last_name"), isActive: try row.bool("is_active"),
            isStaff: try row.bool("is_staff"), isSuperuser: try row.bool("is_superuser"), isVerified: try row.bool("is_verified"),
            dateJoined: try row.date("date_joined"), lastLogin: try row.optionalDate("last_login"))
        emailKey = try row.text("email_key")
    }
}

extension OneTimeCode {
    static let columns = "id, purpose, user_id, email_key, email, code_hash, created_at, expires_at, attempts, used_at"

    /// Nil for a purpose this version does not know.
    init?(_ row: SQLRow) throws {
        guard let purpose = CodePurpose(rawValue: try row.text("purpose")) else { return nil }
        self.init(purpose: purpose, userId: try row.int64("user_id"), email: try row.text("email"), codeHash: try row.bytes("code_hash"),
                  createdAt: try row.date("created_at"), expiresAt: try row.date("expires_at"))
        id = try row.int64("id")
        emailKey = try row.text("email_key")
        attempts = try row.int("attempts")
        usedAt = try row.optionalDate("used_at")
    }
}
