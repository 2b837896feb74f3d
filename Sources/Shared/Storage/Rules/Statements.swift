import Foundation

/// The statements that several rules share, written once for both databases.
enum Statements {
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

    /// Taken first by every transaction that changes a user's sessions or factors as a whole
    /// (PostgreSQL; SQLite's write transaction already excludes the others); `NO KEY UPDATE`
    /// leaves logins, whose foreign key takes `KEY SHARE`, unblocked.
    static func lock(user id: Int64) -> SQLStatement {
        SQLStatement("SELECT 1 FROM users WHERE id = ? FOR NO KEY UPDATE", id, only: .postgres)
    }

    static func user(id: Int64) -> SQLStatement {
        SQLStatement("SELECT \(User.shownColumns) FROM users WHERE id = ?", id)
    }

    static func user(emailKey: String) -> SQLStatement {
        SQLStatement("SELECT \(User.shownColumns) FROM users WHERE email_key = ?", emailKey)
    }

    /// The user, locked for a change that depends on what it reads (PostgreSQL).
    static func lockedUser(id: Int64) -> SQLStatement {
        SQLStatement("SELECT \(User.shownColumns) FROM users WHERE id = ?", id, lock: .forUpdate(of: "users"))
    }
}
