import Foundation

/// The statements that several rules share, and the models read from their rows — written once
/// for both databases.
enum Statements {
    static func insert(_ session: LoginSession) -> SQLStatement {
        SQLStatement("""
            INSERT INTO login_sessions (id, user_id, refresh_jti, created_at, last_used_at, expires_at, user_agent, ip, aal, amr)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, session.id, session.userId, session.refreshJti, session.createdAt, session.lastUsedAt, session.expiresAt,
            session.userAgent, session.ip, session.level.aal, session.level.storedMethods)
    }

    /// The job's row, then (PostgreSQL) the notification that wakes idle workers at commit.
    static func insert(_ job: MailJob) -> [SQLStatement] {
        [
            SQLStatement("""
                INSERT INTO mail_jobs (kind, payload, state, attempts, run_at, created_at, updated_at, nonce, user_id)
                VALUES (?, ?, 'queued', 0, ?, ?, ?, ?, ?)
                """, job.kind.rawValue, job.payload, job.runAt, job.createdAt, job.updatedAt, job.nonce, job.userId),
            wakeWorkers,
        ]
    }

    /// PostgreSQL's notification to idle workers, sent at commit (so only committed jobs wake them).
    static let wakeWorkers = SQLStatement("SELECT pg_notify('\(PostgresBackend.jobChannel)', '')", only: .postgres)

    static func insert(_ record: AuditRecord) -> SQLStatement {
        SQLStatement("INSERT INTO auth_events (event, user_id, actor_id, ip, user_agent, detail, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     record.event.rawValue, record.userId, record.actorId, record.ip, record.userAgent, record.detail, record.createdAt)
    }

    static func revoke(session id: String, reason: String, now: Date) -> SQLStatement {
        SQLStatement("UPDATE login_sessions SET revoked_at = ?, revoke_reason = ? WHERE id = ? AND revoked_at IS NULL", now, reason, id)
    }

    /// Ends every active session of the user; expired ones are already unusable and left as they are.
    static func revokeAll(userId: Int64, reason: String, now: Date) -> SQLStatement {
        SQLStatement("""
            UPDATE login_sessions SET revoked_at = ?, revoke_reason = ?
            WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?
            """, now, reason, userId, now)
    }

    /// Taken first by every transaction that changes a user's sessions as a whole (PostgreSQL;
    /// SQLite's write transaction already excludes the others); `NO KEY UPDATE` leaves logins,
    /// whose foreign key takes `KEY SHARE`, unblocked.
    static func lock(user id: Int64) -> SQLStatement {
        SQLStatement("SELECT 1 FROM users WHERE id = ? FOR NO KEY UPDATE", id, only: .postgres)
    }

    static func user(id: Int64) -> SQLStatement {
        SQLStatement("SELECT \(User.shownColumns) FROM users WHERE id = ?", id)
    }
}
